using System.Text.Json;
using FrameLord.Sync.Protocol;
using FrameLord.Sync.Server.Engine;
using FrameLord.Sync.Server.Storage;
using static FrameLord.Sync.Server.Tests.Changes;

namespace FrameLord.Sync.Server.Tests.Storage;

/// <summary>Pull page bytes and remaining, conflicts paging, the entity size with its stamps, versions, and cursors after a purge.</summary>
public abstract partial class StoreConformanceTests
{
    private const long MaxVersion = 9007199254740991;

    [Fact]
    public async Task PullPages_StopAtTheByteBudget_AlwaysHoldOneEntity_AndSayWhatRemains()
    {
        var user = await NewUserAsync();
        var big = new string('x', 200_000);
        for (var i = 0; i < 12; i++)
        {
            await PushAsync(user, "dev_a", Create($"cnt_{i:D2}", $$"""{"notes":"{{big}}"}"""));
        }

        Limits.MaxPullPageBytes = 1024 * 1024;
        var first = await Sync.PullAsync(user.UserId, Pull("dev_r", null, 1000), CancellationToken.None);
        Assert.Equal(5, first.Changes.Count); // 5 × ~200 KB fit in 1 MiB, the sixth would not
        Assert.True(first.HasMore);
        Assert.Equal(7, first.Remaining);

        var (rest, _) = await PullAllAsync(user, cursor: first.Cursor);
        Assert.Equal(Enumerable.Range(5, 7).Select(i => $"cnt_{i:D2}"), rest.Select(c => c.EntityId));

        // A budget below one entity still moves: one entity a page.
        Limits.MaxPullPageBytes = 1000;
        var one = await Sync.PullAsync(user.UserId, Pull("dev_r", null, 1000), CancellationToken.None);
        Assert.Single(one.Changes);
        Assert.True(one.HasMore);
        Assert.Equal(11, one.Remaining);
    }

    [Fact]
    public async Task PullRemaining_CountsWhatLiesAfterThePage_AndIsZeroOnTheLast()
    {
        var user = await NewUserAsync();
        await PushAsync(user, "dev_a", [.. Enumerable.Range(0, 25).Select(i => Create($"cnt_{i}", "{}"))]);
        var remaining = new List<long>();
        string? cursor = null;
        PullResponse page;
        do
        {
            page = await Sync.PullAsync(user.UserId, Pull("dev_r", cursor, 10), CancellationToken.None);
            remaining.Add(page.Remaining);
            cursor = page.Cursor;
        }
        while (page.HasMore);

        Assert.Equal([15, 5, 0], remaining);
    }

    [Fact]
    public async Task ConflictsListing_PagesOldestFirst_WithACursor_AndABoundedSize()
    {
        var user = await NewUserAsync();
        await PushAsync(user, "dev_b", [.. Enumerable.Range(0, 260).Select(i => Create($"cnt_{i:D3}", """{"name":"b"}"""))]);
        await PushAsync(user, "dev_b", [.. Enumerable.Range(0, 260).Select(i => Update($"cnt_{i:D3}", """{"name":"B"}""", 2, 1, "10:35"))]);
        // Four pushes a minute apart, 65 conflicts each.
        for (var p = 0; p < 4; p++)
        {
            Time.Advance(TimeSpan.FromMinutes(1));
            await PushAsync(user, "dev_a", [.. Enumerable.Range(p * 65, 65).Select(i => Update($"cnt_{i:D3}", """{"name":"A"}""", 2, 1, "10:30"))]);
        }

        var first = await Sync.ListConflictsAsync(user.UserId, "all", null, null, CancellationToken.None);
        Assert.Equal(100, first.Conflicts.Count);
        Assert.True(first.HasMore);

        var seen = new List<Conflict>();
        string? cursor = null;
        var pages = 0;
        ConflictList page;
        do
        {
            page = await Sync.ListConflictsAsync(user.UserId, "all", 70, cursor, CancellationToken.None);
            seen.AddRange(page.Conflicts);
            cursor = page.Cursor;
            pages++;
        }
        while (page.HasMore);

        Assert.Equal(4, pages);
        Assert.Equal(260, seen.Select(c => c.ConflictId).Distinct().Count());
        Assert.Equal(seen.Select(c => c.CreatedAt).Order(), seen.Select(c => c.CreatedAt));

        Assert.Equal(260, (await Sync.ListConflictsAsync(user.UserId, "all", 10_000, null, CancellationToken.None)).Conflicts.Count);
        Limits.MaxConflictsLimit = 50;
        Assert.Equal(50, (await Sync.ListConflictsAsync(user.UserId, "all", 10_000, null, CancellationToken.None)).Conflicts.Count);

        // A byte budget below one conflict still moves: one conflict a page.
        Limits.MaxConflictsPageBytes = 10;
        var small = await Sync.ListConflictsAsync(user.UserId, "all", 100, null, CancellationToken.None);
        Assert.Single(small.Conflicts);
        Assert.True(small.HasMore);

        foreach (var bad in new[] { "nonsense", "AQ", new string('A', 5000) })
        {
            var error = await Assert.ThrowsAsync<ApiException>(() => Sync.ListConflictsAsync(user.UserId, "all", null, bad, CancellationToken.None));
            Assert.Equal(400, error.Status);
        }

        Assert.Equal(400, (await Assert.ThrowsAsync<ApiException>(() => Sync.ListConflictsAsync(user.UserId, "all", 0, null, CancellationToken.None))).Status);
    }

    [Fact]
    public async Task EntitySize_CountsThePerFieldStamps()
    {
        var user = await NewUserAsync();
        Limits.MaxEntityBytes = 64 * 1024;
        // 1,500 one-digit fields: about 15 KB of JSON, but each field keeps a stamp naming a 150-character device.
        var fields = string.Join(",", Enumerable.Range(0, 1500).Select(i => $"\"f{i:D4}\":1"));
        var device = "dev_" + new string('d', 146);
        var response = await PushAsync(user, device, Create("cnt_1", $"{{{fields}}}"));
        var failed = Assert.Single(response.Failed);
        Assert.Equal(ErrorCodes.EntityTooLarge, failed.Error.Code);
        Assert.Empty((await PullAllAsync(user)).Changes);
    }

    [Theory]
    [InlineData(9007199254740992L, 0L)]
    [InlineData(long.MaxValue, 0L)]
    [InlineData(long.MaxValue, long.MaxValue - 1)]
    [InlineData(9007199254740993L, 9007199254740992L)]
    public async Task VersionsOutsideTheSafeIntegerRange_FailTheChange(long version, long baseVersion)
    {
        var user = await NewUserAsync();
        var change = Make(Operations.Create, EntityTypes.Contact, "cnt_1", Json("""{"name":"x"}"""), version, baseVersion, "10:00");
        var response = await PushAsync(user, "dev_a", change, Create("cnt_ok", "{}"));
        Assert.Equal(ErrorCodes.ValidationFailed, Assert.Single(response.Failed).Error.Code);
        Assert.Equal("cnt_ok", Assert.Single(response.Successful).EntityId);
    }

    [Fact]
    public async Task AnEntityAtTheLargestVersion_RefusesFurtherChanges_InsteadOfWrapping()
    {
        var user = await NewUserAsync();
        Assert.Equal(MaxVersion, Assert.Single((await PushAsync(user, "dev_a", Create("cnt_1", """{"name":"a"}""", version: MaxVersion))).Successful).SyncVersion);

        var next = await PushAsync(user, "dev_b", Update("cnt_1", """{"name":"b"}""", 1, 0, "10:00"));
        Assert.Equal(ErrorCodes.ValidationFailed, Assert.Single(next.Failed).Error.Code);
        var stored = await PullOneAsync(user, "cnt_1");
        Assert.Equal(MaxVersion, stored.SyncVersion);
        Assert.Equal("a", Field(stored, "name"));
    }

    [Fact]
    public async Task AResolutionAtTheLargestVersion_Is400_AndWritesNothing()
    {
        var user = await NewUserAsync();
        await PushAsync(user, "dev_b", Create("cnt_1", """{"name":"b"}""", version: MaxVersion - 2));
        await PushAsync(user, "dev_b", Update("cnt_1", """{"name":"B"}""", MaxVersion - 1, MaxVersion - 2, "10:35"));
        var conflict = Assert.Single((await PushAsync(user, "dev_a", Update("cnt_1", """{"name":"A"}""", MaxVersion - 1, MaxVersion - 2, "10:30"))).Conflicts);
        Assert.Equal(MaxVersion, (await PullOneAsync(user, "cnt_1")).SyncVersion);

        var error = await Assert.ThrowsAsync<ApiException>(() => Sync.ResolveConflictAsync(user.UserId, conflict.ConflictId,
            new ResolveConflictRequest { Choice = ResolutionChoices.KeepLocal, DeviceId = "dev_a" }, CancellationToken.None));
        Assert.Equal(400, error.Status);
        Assert.Equal("B", Field(await PullOneAsync(user, "cnt_1"), "name"));
    }

    [Fact]
    public async Task AfterAPurge_AFullPullsCursor_LeadsToA200_NotA410()
    {
        var user = await NewUserAsync();
        await PushAsync(user, "dev_a", Create("cnt_keep", "{}"), Create("cnt_del", "{}"));
        await PushAsync(user, "dev_a", Delete("cnt_del", 2, 1, "10:00"));
        await PurgeOldTombstonesAsync();

        var first = await Sync.PullAsync(user.UserId, Pull("dev_new"), CancellationToken.None);
        Assert.Equal("cnt_keep", Assert.Single(first.Changes).EntityId);
        var again = await Sync.PullAsync(user.UserId, Pull("dev_new", first.Cursor), CancellationToken.None);
        Assert.Empty(again.Changes);
        Assert.Empty((await Sync.PullAsync(user.UserId, Pull("dev_new", again.Cursor), CancellationToken.None)).Changes);
    }

    [Fact]
    public async Task AfterAPurge_AFullPullInSmallPages_CrossesThePurgedRange()
    {
        var user = await NewUserAsync();
        await PushAsync(user, "dev_a", Create("cnt_a", "{}"), Create("cnt_b", "{}"), Create("cnt_c", "{}"));
        await PushAsync(user, "dev_a", Delete("cnt_c", 2, 1, "10:00"));
        await PurgeOldTombstonesAsync();

        var (changes, cursor) = await PullAllAsync(user, limit: 1);
        Assert.Equal(["cnt_a", "cnt_b"], changes.Select(c => c.EntityId));

        // A later purge past that cursor makes it stale, as before.
        await PushAsync(user, "dev_a", Create("cnt_d", "{}"), Create("cnt_e", "{}"));
        await PushAsync(user, "dev_a", Delete("cnt_d", 2, 1, "10:00"));
        await PurgeOldTombstonesAsync();
        Assert.Equal(410, (await Assert.ThrowsAsync<ApiException>(() => Sync.PullAsync(user.UserId, Pull("dev_new", cursor), CancellationToken.None))).Status);
    }

    [Theory]
    [InlineData("\0\0\0\0\0\0\0\0\0\0\0\0")]
    [InlineData("AQAAAAAAAAA*")]
    [InlineData("AgAAAAAAAAAAAAAAAAAAAA\u0001")]
    public async Task PullCursors_OutsideTheAlphabet_Are400(string cursor)
    {
        var user = await NewUserAsync();
        var error = await Assert.ThrowsAsync<ApiException>(() => Sync.PullAsync(user.UserId, Pull("dev_a", cursor), CancellationToken.None));
        Assert.Equal(400, error.Status);
    }

    private async Task PurgeOldTombstonesAsync()
    {
        Time.Advance(Options.TombstoneRetention + TimeSpan.FromSeconds(1));
        var horizon = Time.GetUtcNow() - Options.TombstoneRetention;
        Assert.True((await Store.PurgeAsync(horizon, horizon, CancellationToken.None)).TombstonesDeleted > 0);
    }

    [Fact]
    public async Task AUserWithoutARow_IsUnknown_ToWritesAndPulls()
    {
        var ghost = new UserRecord("usr_gone", "gone@example.com", "hash", "Gone", "cnt_zero_gone", Time.GetUtcNow());
        await Assert.ThrowsAsync<UnknownUserException>(() => Sync.PushAsync(ghost.UserId, Push("dev_a", Create("cnt_1", "{}")), CancellationToken.None));
        await Assert.ThrowsAsync<UnknownUserException>(() => Sync.PullAsync(ghost.UserId, Pull("dev_a"), CancellationToken.None));
    }

    [Fact]
    public async Task NulInsideJsonStrings_IsStoredAndPulledBack()
    {
        var user = await NewUserAsync();
        var response = await PushAsync(user, "dev_a", Create("cnt_1", """{"name":"a\u0000b","x\u0000y":["\u0000"]}"""));
        Assert.Single(response.Successful);
        var pulled = await PullOneAsync(user, "cnt_1");
        Assert.Equal("a\0b", pulled.Data.GetProperty("name").GetString());
        Assert.Equal("\0", pulled.Data.GetProperty("x\0y")[0].GetString());
        _ = JsonSerializer.Serialize(pulled, SyncJsonContext.Default.PulledChange);
    }
}
