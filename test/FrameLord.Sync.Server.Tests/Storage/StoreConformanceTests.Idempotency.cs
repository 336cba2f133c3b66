using System.Text.Json;
using FrameLord.Sync.Protocol;
using FrameLord.Sync.Server.Storage;
using static FrameLord.Sync.Server.Tests.Changes;

namespace FrameLord.Sync.Server.Tests.Storage;

public abstract partial class StoreConformanceTests
{
    private static string Serialize(PushResponse response) => JsonSerializer.Serialize(response, SyncJsonContext.Default.PushResponse);

    [Fact]
    public async Task ReplayedChangeId_AppliesOnce_AndReturnsTheRecordedOutcome()
    {
        var user = await NewUserAsync();
        await PushAsync(user, "dev_b", Create("cnt_1", """{"name":"Sarah"}"""));
        await PushAsync(user, "dev_b", Update("cnt_1", """{"name":"B"}""", 2, 1, "10:35"));
        var batch = new[]
        {
            Update("cnt_1", """{"name":"A"}""", 2, 1, "10:30", changeId: "chg_a1"),
            Create("tsk_1", """{"title":"Call"}""", type: EntityTypes.Task, changeId: "chg_a2"),
            Create("bad_1", """{}""", type: "widget", changeId: "chg_a3"),
        };

        var first = await PushAsync(user, "dev_a", batch);
        var (afterFirst, cursor) = await PullAllAsync(user);
        // The response was lost after commit: the device retries the same batch.
        var second = await PushAsync(user, "dev_a", batch);

        Assert.Equal(Serialize(first), Serialize(second));
        Assert.Single(first.Conflicts);
        Assert.Single(first.Failed);
        var (afterSecond, _) = await PullAllAsync(user, cursor: cursor);
        Assert.Empty(afterSecond); // nothing was written again
        Assert.Single((await Sync.ListConflictsAsync(user.UserId, "all", CancellationToken.None)).Conflicts);
        Assert.Equal(2, afterFirst.Count);
    }

    [Fact]
    public async Task SameChangeIdTwiceInOneBatch_AppliesOnce()
    {
        var user = await NewUserAsync();
        var change = Create("cnt_1", """{"name":"Sarah"}""", changeId: "dup");
        var response = await PushAsync(user, "dev_a", change, change with { Data = Json("""{"name":"Other"}""") });
        Assert.Equal(2, response.Successful.Count);
        Assert.Equal("Sarah", Field(await PullOneAsync(user, "cnt_1"), "name"));
    }

    [Fact]
    public async Task SameChangeIdFromAnotherDevice_IsADifferentChange()
    {
        var user = await NewUserAsync();
        await PushAsync(user, "dev_a", Create("cnt_1", """{"name":"A"}""", changeId: "same"));
        await PushAsync(user, "dev_b", Update("cnt_1", """{"name":"B"}""", 2, 1, "10:30", changeId: "same"));
        Assert.Equal("B", Field(await PullOneAsync(user, "cnt_1"), "name"));
    }

    [Theory]
    [InlineData(StoreFaults.AfterEntityWrites)]
    [InlineData(StoreFaults.BeforeCommit)]
    public async Task FailureInjectedMidBatch_LeavesNothingOfTheBatch(string point)
    {
        var user = await NewUserAsync();
        await PushAsync(user, "dev_a", Create("cnt_1", """{"name":"Sarah"}"""));
        await PushAsync(user, "dev_b", Update("cnt_1", """{"name":"B"}""", 2, 1, "10:35"));
        var (before, _) = await PullAllAsync(user);

        var batch = Enumerable.Range(0, 50).Select(i => Create($"tsk_{i}", $$"""{"title":"t{{i}}"}""", type: EntityTypes.Task))
            .Append(Update("cnt_1", """{"name":"A"}""", 2, 1, "10:30"))
            .ToArray();
        Faults.OnPoint = p => p == point ? throw new StoreException("injected", isTransient: true) : ValueTask.CompletedTask;
        await Assert.ThrowsAsync<StoreException>(() => PushAsync(user, "dev_a", batch));
        Faults.OnPoint = null;

        var (after, _) = await PullAllAsync(user);
        Assert.Equal(before.Select(c => (c.EntityId, c.SyncVersion)), after.Select(c => (c.EntityId, c.SyncVersion)));
        Assert.Empty((await Sync.ListConflictsAsync(user.UserId, "all", CancellationToken.None)).Conflicts);

        // Nothing was recorded either: the retry applies the batch for real.
        var retry = await PushAsync(user, "dev_a", batch);
        Assert.Equal(51, retry.Successful.Count);
        Assert.Single(retry.Conflicts);
        Assert.Equal(51, (await PullAllAsync(user)).Changes.Count);
    }
}
