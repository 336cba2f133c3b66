using System.Text.Json;
using FrameLord.Sync.Client.Models;
using FrameLord.Sync.Client.Tests.Support;
using FrameLord.Sync.Protocol;
using Microsoft.Extensions.Time.Testing;

namespace FrameLord.Sync.Client.Tests.Local;

/// <summary>Conflict records the server bounds (DESIGN 3.4): winners left out or referenced, and the listing in pages.</summary>
public sealed class ConflictRecordTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly FakeTimeProvider _time = new(LocalDevice.Start);
    private readonly ScriptedTransport _transport = new();

    public void Dispose() => _folder.Dispose();

    private Task<SyncClient> Open() => LocalDevice.OpenAsync(_folder.File("device.db"), _transport, _time, 1);

    private static Conflict ConflictOf(Change change, JsonElement? winner, string? winnerRef) => new()
    {
        ConflictId = "cfl_" + change.EntityId,
        ChangeId = change.ChangeId,
        EntityType = change.EntityType,
        EntityId = change.EntityId,
        Fields = ["name"],
        Resolution = ConflictResolutions.RemoteWon,
        NeedsReview = false,
        Winner = winner,
        WinnerRef = winnerRef,
        Local = JsonDocument.Parse("""{"name":"mine"}""").RootElement,
        Remote = JsonDocument.Parse("""{"name":"theirs"}""").RootElement,
    };

    [Fact]
    public async Task APushAnswer_WithoutAWinner_OrWithAReference_KeepsTheEntity_AndDrainsTheOutbox()
    {
        await using var client = await Open();
        await client.UseAccountAsync(new AuthResponse { UserId = "usr_1", ContactZeroId = "cnt_zero", AccessToken = "t", ExpiresIn = 60 });
        var a = await client.Contacts.CreateAsync(new Contact { Id = "cnt_a", Name = "mine" });
        var b = await client.Contacts.CreateAsync(new Contact { Id = "cnt_b", Name = "mine" });
        var winner = JsonDocument.Parse("""{"id":"cnt_a","name":"theirs","sync_version":3,"is_archived":false}""").RootElement;
        _transport.OnPush = (request, _) =>
        {
            var accepted = _transport.AcceptAll(request);
            var byEntity = request.Changes.ToDictionary(c => c.EntityId);
            return accepted with
            {
                Conflicts =
                [
                    ConflictOf(byEntity["cnt_a"], winner, null),
                    // No winner, and a reference to no conflict of this answer (a replay's record, say).
                    ConflictOf(byEntity["cnt_b"], null, "chg_elsewhere"),
                ],
            };
        };

        await client.SyncNowAsync();

        Assert.Empty(LocalDevice.Outbox(client));
        Assert.Equal("theirs", (await client.Contacts.GetAsync(a.Id))!.Name);
        Assert.Equal("mine", (await client.Contacts.GetAsync(b.Id))!.Name);
        var stored = await client.GetConflictsAsync(includeClosed: true);
        Assert.Equal(2, stored.Count);
        Assert.Equal(JsonValueKind.Null, stored.Single(c => c.EntityId == "cnt_b").Winner.ValueKind);
    }

    [Fact]
    public async Task RefreshConflicts_ReadsEveryPage_ThroughTheCursor()
    {
        await using var client = await Open();
        await client.UseAccountAsync(new AuthResponse { UserId = "usr_1", ContactZeroId = "cnt_zero", AccessToken = "t", ExpiresIn = 60 });
        var cursors = new List<string?>();
        _transport.OnListConflicts = (_, cursor) =>
        {
            cursors.Add(cursor);
            var page = cursor is null ? 0 : int.Parse(cursor, System.Globalization.CultureInfo.InvariantCulture);
            var change = new Change
            {
                ChangeId = $"chg_{page}", EntityType = EntityTypes.Contact, EntityId = $"cnt_{page}", Operation = Operations.Update,
                ClientTimestamp = LocalDevice.Start, SyncVersion = 2, BaseVersion = 1,
            };
            return new ConflictList
            {
                Conflicts = [ConflictOf(change, null, null) with { Status = ConflictStatuses.Open, NeedsReview = true }],
                Cursor = (page + 1).ToString(System.Globalization.CultureInfo.InvariantCulture),
                HasMore = page < 2,
            };
        };

        Assert.Equal(3, await client.RefreshConflictsAsync());
        Assert.Equal([null, "1", "2"], cursors);
    }
}
