using FrameLord.Sync.Protocol;
using FrameLord.Sync.Server.Engine;
using static FrameLord.Sync.Server.Tests.Changes;

namespace FrameLord.Sync.Server.Tests.Storage;

public abstract partial class StoreConformanceTests
{
    [Fact]
    public async Task Pull_ReturnsEachEntityOnce_InItsLatestState_InCommitOrder()
    {
        var user = await NewUserAsync();
        await PushAsync(user, "dev_a", Create("a", "{}"), Create("b", "{}"), Create("c", "{}"));
        await PushAsync(user, "dev_a", Update("a", """{"name":"a2"}""", 2, 1, "10:01"));
        var (changes, _) = await PullAllAsync(user, limit: 2);
        Assert.Equal(["b", "c", "a"], changes.Select(c => c.EntityId));
        Assert.Equal("a2", Field(changes[2], "name"));
    }

    [Fact]
    public async Task Pull_WithAnUnknownCursor_Is400_AndLimitIsCapped()
    {
        var user = await NewUserAsync();
        var error = await Assert.ThrowsAsync<ApiException>(() => Sync.PullAsync(user.UserId, Pull("d", "garbage"), CancellationToken.None));
        Assert.Equal(ErrorCodes.ValidationFailed, error.Code);
        var zero = await Assert.ThrowsAsync<ApiException>(() => Sync.PullAsync(user.UserId, Pull("d", null, 0), CancellationToken.None));
        Assert.Equal(400, zero.Status);

        await PushAsync(user, "dev_a", Enumerable.Range(0, 1001).Select(i => Create($"t{i}", "{}", type: EntityTypes.Task)).Take(1000).ToArray());
        await PushAsync(user, "dev_a", Create("last", "{}"));
        var page = await Sync.PullAsync(user.UserId, Pull("d", null, 5000), CancellationToken.None);
        Assert.Equal(Limits.MaxPullLimit, page.Changes.Count);
        Assert.True(page.HasMore);
    }

    /// <summary>
    /// Writers on several connections push concurrently while a reader pages with a small limit;
    /// after the writers stop the reader drains. It must have seen every entity, at its final version.
    /// </summary>
    [Fact]
    public async Task PagingWhileSeveralConnectionsPush_NeverMissesAnEntity()
    {
        const int Writers = 4;
        const int Batches = 8;
        const int PerBatch = 10;
        for (var repetition = 0; repetition < 6; repetition++)
        {
            var user = await NewUserAsync();
            var seen = new Dictionary<string, long>();
            string? cursor = null;
            using var stop = new CancellationTokenSource();

            var writers = Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
            {
                for (var b = 0; b < Batches; b++)
                {
                    // Each batch creates new entities and updates one shared entity, so rows move in seq.
                    var changes = Enumerable.Range(0, PerBatch)
                        .Select(i => Create($"w{w}_b{b}_e{i}", $$"""{"name":"n{{i}}"}""", type: EntityTypes.Note))
                        .Append(Update("shared", $$"""{"w{{w}}":{{b}}}""", 2 + b, 1 + b, "10:00", type: EntityTypes.Project))
                        .ToArray();
                    await PushAsync(user, $"dev_{w}", changes);
                }
            })).ToArray();

            var reader = Task.Run(async () =>
            {
                while (true)
                {
                    var done = writers.All(t => t.IsCompleted);
                    var page = await Sync.PullAsync(user.UserId, Pull("dev_reader", cursor, 7), CancellationToken.None);
                    foreach (var change in page.Changes)
                    {
                        seen[$"{change.EntityType}/{change.EntityId}"] = change.SyncVersion;
                    }

                    cursor = page.Cursor;
                    if (done && !page.HasMore)
                    {
                        return;
                    }
                }
            });

            await Task.WhenAll(writers);
            await reader;

            var (everything, _) = await PullAllAsync(user);
            Assert.Equal(Writers * Batches * PerBatch + 1, everything.Count);
            foreach (var change in everything)
            {
                var key = $"{change.EntityType}/{change.EntityId}";
                Assert.True(seen.TryGetValue(key, out var version), $"repetition {repetition}: the paging reader never saw {key}");
                Assert.Equal(change.SyncVersion, version);
            }
        }
    }
}
