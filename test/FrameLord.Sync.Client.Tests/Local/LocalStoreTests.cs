using System.Text.Json;
using FrameLord.Sync.Client.Local;
using FrameLord.Sync.Client.Models;
using FrameLord.Sync.Client.Tests.Support;
using FrameLord.Sync.Protocol;
using Microsoft.Extensions.Time.Testing;

namespace FrameLord.Sync.Client.Tests.Local;

/// <summary>The local store and the outbox, without a server: everything here works offline.</summary>
public sealed class LocalStoreTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly FakeTimeProvider _time = new(LocalDevice.Start);
    private readonly ScriptedTransport _transport = new();

    public void Dispose() => _folder.Dispose();

    private Task<SyncClient> Open(int seed = 1) => LocalDevice.OpenAsync(_folder.File("device.db"), _transport, _time, seed);

    [Fact]
    public async Task Create_CommitsTheEntityAndItsOutboxEntry_AndQueriesReadThemOffline()
    {
        await using var client = await Open();
        var contact = await client.Contacts.CreateAsync(new Contact { Name = "Sarah", Tags = ["vip"] });
        Assert.StartsWith("cnt_", contact.Id, StringComparison.Ordinal);
        Assert.Equal(1, contact.SyncVersion);
        Assert.Equal(LocalDevice.Start, contact.CreatedAt);

        var entry = Assert.Single(LocalDevice.Outbox(client));
        Assert.Equal(Operations.Create, entry.Operation);
        Assert.Equal(contact.Id, entry.EntityId);
        Assert.Equal("Sarah", (string?)entry.Data!["name"]);
        Assert.Equal(1, entry.SyncVersion);
        Assert.Equal(0, entry.BaseVersion);
        Assert.Empty(_transport.Pushes);

        var read = await client.Contacts.GetAsync(contact.Id);
        Assert.Equal("Sarah", read!.Name);
        Assert.Equal(["vip"], read.Tags);
        Assert.Single(await client.Contacts.ListAsync());
        Assert.Equal(SyncStatus.Pending, client.State.Status);
        Assert.Equal(1, client.State.PendingChanges);
    }

    [Fact]
    public async Task LocalWrites_NeverCheckpointInsideACommit_TheLogIsCheckpointedInTheBackground()
    {
        await using var client = await Open();

        // SQLite's own checkpoint would run inside whichever commit crosses its threshold and stall that write.
        var automatic = await client.Database.WriteAsync(w => (long)w.Command("PRAGMA wal_autocheckpoint;").ExecuteScalar()!, CancellationToken.None);
        Assert.Equal(0, automatic);

        // No sync loop runs here: the writes themselves start a checkpoint, on another connection, every so often.
        var first = client.Database.BackgroundCheckpoint;
        for (var i = 0; i < LocalDatabase.CommitsPerCheckpoint; i++)
        {
            await client.Contacts.CreateAsync(new Contact { Id = $"cnt_{i}", Name = $"C{i}" });
        }

        var started = client.Database.BackgroundCheckpoint;
        Assert.NotSame(first, started);
        var result = await started.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(result.LogFrames > LocalDatabase.CommitsPerCheckpoint, $"the log held {result.LogFrames} frames");
        Assert.True(result.Copied > 0, "the checkpoint copied the log into the database");
        Assert.Equal(LocalDatabase.CommitsPerCheckpoint, await client.Contacts.CountAsync());
    }

    [Fact]
    public async Task EveryEntityType_RoundTripsThroughItsTypedStore()
    {
        await using var client = await Open();
        await client.Contacts.CreateAsync(new Contact { Id = "cnt_1", Name = "n", Email = "e", Phone = "p", Status = "s", Company = "c", Title = "t", Tags = ["a"] });
        await client.Notes.CreateAsync(new Note { Id = "note_1", Title = "t", FolderId = "fld_1", Tags = ["x"], Pinned = true });
        await client.Tasks.CreateAsync(new TaskItem { Id = "task_1", Title = "t", Description = "d", Status = "open", Priority = "high", DueAt = LocalDevice.Start, ContactId = "cnt_1", ProjectId = "prj_1" });
        await client.Interactions.CreateAsync(new Interaction { Id = "int_1", ContactId = "cnt_1", Kind = "call", OccurredAt = LocalDevice.Start, Summary = "s" });
        await client.Folders.CreateAsync(new Folder { Id = "fld_1", Name = "f", ParentId = null });
        await client.Groups.CreateAsync(new Group { Id = "grp_1", Name = "g", ContactIds = ["cnt_1"] });
        await client.Projects.CreateAsync(new Project { Id = "prj_1", Name = "p", Status = "active", Description = "d", PipelineId = "pip_1" });
        await client.Pipelines.CreateAsync(new Pipeline { Id = "pip_1", Name = "p", Stages = ["lead", "won"] });

        Assert.Equal(EntityTypes.All.Order(), LocalDevice.Outbox(client).Select(e => e.EntityType).Order());
        Assert.True((await client.Notes.GetAsync("note_1"))!.Pinned);
        Assert.Equal(LocalDevice.Start, (await client.Tasks.GetAsync("task_1"))!.DueAt);
        Assert.Equal(["lead", "won"], (await client.Pipelines.GetAsync("pip_1"))!.Stages);
        Assert.Equal(["cnt_1"], (await client.Groups.GetAsync("grp_1"))!.ContactIds);
        Assert.Equal("pip_1", (await client.Projects.GetAsync("prj_1"))!.PipelineId);
        Assert.Equal("call", (await client.Interactions.GetAsync("int_1"))!.Kind);
        Assert.Equal("f", (await client.Folders.GetAsync("fld_1"))!.Name);
    }

    [Fact]
    public async Task Writes_CoalescePerEntity_AsDesign2Says()
    {
        await using var client = await Open();
        var a = await client.Contacts.CreateAsync(new Contact { Name = "A" });
        await client.Contacts.UpdateAsync(a.Id, c => c.Email = "a@x");
        var entry = Assert.Single(LocalDevice.Outbox(client));
        Assert.Equal(Operations.Create, entry.Operation);
        Assert.Equal("a@x", (string?)entry.Data!["email"]);
        Assert.Equal(2, entry.SyncVersion);

        await client.Contacts.DeleteAsync(a.Id);
        Assert.Empty(LocalDevice.Outbox(client));
        Assert.True((await client.Contacts.GetAsync(a.Id))!.IsArchived);
        Assert.Empty(await client.Contacts.ListAsync());
        Assert.Single(await client.Contacts.ListAsync(includeArchived: true));

        // Restoring an entity the server never had creates it again, whole.
        await client.Contacts.RestoreAsync(a.Id);
        entry = Assert.Single(LocalDevice.Outbox(client));
        Assert.Equal(Operations.Create, entry.Operation);
        Assert.Equal("a@x", (string?)entry.Data!["email"]);
        Assert.False((bool)entry.Data["is_archived"]!);
    }

    [Fact]
    public async Task AnEditAfterABatchWasTaken_MakesANewEntry_AndTheSentOneStaysAsItWas()
    {
        await using var client = await Open();
        await client.UseAccountAsync(new AuthResponse { UserId = "usr_1", ContactZeroId = "cnt_zero", AccessToken = "t", ExpiresIn = 60 });
        var a = await client.Contacts.CreateAsync(new Contact { Name = "A" });
        _transport.OnPush = (_, _) => throw new SyncTransportException(503, ErrorCodes.Unavailable, "down");
        await Assert.ThrowsAsync<SyncTransportException>(() => client.SyncNowAsync());
        await client.Contacts.UpdateAsync(a.Id, c => c.Name = "B");

        var entries = LocalDevice.Outbox(client);
        Assert.Equal(2, entries.Count);
        Assert.True(entries[0].Sent);
        Assert.Equal("A", (string?)entries[0].Data!["name"]);
        Assert.Equal(Operations.Update, entries[1].Operation);
        Assert.Equal("""{"name":"B"}""", entries[1].Data!.ToJsonString());
        Assert.NotEqual(entries[0].ChangeId, entries[1].ChangeId);

        _transport.OnPush = null;
        await client.SyncNowAsync();
        Assert.Equal(entries[0].ChangeId, _transport.Pushes[^1].Changes[0].ChangeId);
        Assert.Equal(_transport.Pushes[0].Changes.Single().Data!.Value.GetRawText(), _transport.Pushes[^1].Changes[0].Data!.Value.GetRawText());
        Assert.Empty(LocalDevice.Outbox(client));
    }

    [Fact]
    public async Task UpdateOfAnUnchangedModel_QueuesNothing_AndNullEqualsAbsent()
    {
        await using var client = await Open();
        var a = await client.Contacts.CreateAsync(new Contact { Name = "A" });
        var before = LocalDevice.Outbox(client).Single().SyncVersion;
        var same = await client.Contacts.UpdateAsync(a);
        Assert.Equal(a.SyncVersion, same.SyncVersion);
        Assert.Equal(before, LocalDevice.Outbox(client).Single().SyncVersion);
    }

    [Fact]
    public async Task Reopening_KeepsTheDeviceId_TheOutbox_AndNeverReusesAChangeId()
    {
        string deviceId;
        string firstChange;
        await using (var client = await Open())
        {
            deviceId = client.DeviceId;
            await client.Contacts.CreateAsync(new Contact { Id = "cnt_1", Name = "A" });
            await client.Contacts.CreateAsync(new Contact { Id = "cnt_2", Name = "B" });
            firstChange = LocalDevice.Outbox(client)[0].ChangeId;
            await client.Contacts.DeleteAsync("cnt_2");
        }

        await using (var reopened = await Open(seed: 1))
        {
            Assert.Equal(deviceId, reopened.DeviceId);
            var entry = Assert.Single(LocalDevice.Outbox(reopened));
            Assert.Equal(firstChange, entry.ChangeId);
            Assert.Equal(1, reopened.State.PendingChanges);
            await reopened.Contacts.CreateAsync(new Contact { Id = "cnt_3", Name = "C" });
            var ids = LocalDevice.Outbox(reopened).Select(e => e.ChangeId).ToArray();
            Assert.Equal(2, ids.Length);
            // cnt_2's create (c2) was cancelled by its delete; its change id is still never handed out again.
            Assert.Equal("c3", ids[1]);
        }
    }

    [Fact]
    public async Task ContactZero_IsCreatedFromTheSignupAnswer_AndNeverQueued()
    {
        await using var client = await Open();
        var auth = await client.SignupAsync("me@example.com", "correct horse", "Me");
        var zero = await client.Contacts.GetAsync(auth.ContactZeroId);
        Assert.NotNull(zero);
        Assert.True(zero.IsContactZero);
        Assert.Equal("Me", zero.Name);
        await client.Contacts.UpdateAsync(auth.ContactZeroId, c => c.Title = "Founder");
        Assert.Equal("Founder", (await client.Contacts.GetAsync(auth.ContactZeroId))!.Title);
        Assert.Empty(LocalDevice.Outbox(client));
        await Assert.ThrowsAsync<InvalidOperationException>(() => client.Contacts.DeleteAsync(auth.ContactZeroId));
        await client.SyncNowAsync();
        Assert.Empty(_transport.Pushes);
    }

    [Fact]
    public async Task UnknownFields_FromTheServer_AreKept_AndNotPushedBackUnchanged()
    {
        await using var client = await Open();
        await client.UseAccountAsync(new AuthResponse { UserId = "usr_1", ContactZeroId = "cnt_zero", AccessToken = "t", ExpiresIn = 60 });
        _transport.OnPull = (request, _) => new PullResponse
        {
            Changes = request.Cursor is null
                ? [new PulledChange
                {
                    EntityType = "contact", EntityId = "cnt_9", Operation = "update", SyncVersion = 3, UpdatedAt = LocalDevice.Start,
                    IsArchived = false, ModifiedByDevice = "dev_other",
                    Data = JsonDocument.Parse("""{"id":"cnt_9","name":"N","x_future":{"a":[1,2]},"created_at":"2025-12-05T10:00:00Z","updated_at":"2025-12-05T10:00:00Z","sync_version":3,"is_archived":false}""").RootElement,
                }]
                : [],
            Cursor = "AQAAAAAAAAAB",
            HasMore = false,
            SyncTimestamp = LocalDevice.Start,
        };
        await client.PullAsync();
        var contact = await client.Contacts.GetAsync("cnt_9");
        Assert.Equal("""{"a":[1,2]}""", contact!.ExtensionData!["x_future"].GetRawText());
        contact.Name = "M";
        await client.Contacts.UpdateAsync(contact);
        Assert.Equal("""{"name":"M"}""", LocalDevice.Outbox(client).Single().Data!.ToJsonString());
        Assert.Equal("""{"a":[1,2]}""", LocalDevice.Data(client, "contact", "cnt_9")["x_future"]!.ToJsonString());
        Assert.Equal(3, LocalDevice.Outbox(client).Single().BaseVersion);
        Assert.Equal(4, LocalDevice.Outbox(client).Single().SyncVersion);
    }
}
