using FrameLord.Sync.Client.Engine;
using FrameLord.Sync.Client.Local;
using FrameLord.Sync.Protocol;

namespace FrameLord.Sync.Client.Tests.Engine;

public sealed class PushBatchSenderTests
{
    private static List<OutboxEntry> Batch(int count, Func<int, string>? data = null) =>
        Enumerable.Range(1, count).Select(i => new OutboxEntry
        {
            Seq = i,
            ChangeId = "c" + i,
            EntityType = "contact",
            EntityId = "cnt_" + i,
            Operation = Operations.Create,
            DataJson = data?.Invoke(i) ?? """{"name":"x"}""",
        }).ToList();

    private static PushResponse Accept(IReadOnlyList<OutboxEntry> batch) => new()
    {
        Successful = batch.Select(e => new ChangeSucceeded { ChangeId = e.ChangeId, EntityType = e.EntityType, EntityId = e.EntityId, SyncVersion = 1 }).ToList(),
        Failed = [],
        Conflicts = [],
    };

    [Fact]
    public async Task SendAsync_OneMalformedChangeAmongMany_IsFoundInFewRequests_TheOthersGoThrough_AndItIsKept()
    {
        var requests = 0;
        var sender = new PushBatchSender(batch =>
        {
            requests++;
            return batch.Any(e => e.ChangeId == "c37")
                ? throw new SyncTransportException(400, ErrorCodes.ValidationFailed, "too deep")
                : Task.FromResult(Accept(batch));
        }, 1000);

        var answer = await sender.SendAsync(Batch(100));
        Assert.Equal(99, answer.Response.Successful.Count);
        Assert.Empty(answer.Response.Failed);
        Assert.Equal(ErrorCodes.ValidationFailed, answer.Kept?.Code);
        Assert.InRange(requests, 2, 1 + (2 * 7));
    }

    [Fact]
    public async Task SendAsync_ARequestLevel400_StopsAfterTheFirstSplit_AndRefusesNothing()
    {
        var requests = 0;
        var sender = new PushBatchSender(_ =>
        {
            requests++;
            throw new SyncTransportException(400, ErrorCodes.ValidationFailed, "device_id too long");
        }, 1000);

        var answer = await sender.SendAsync(Batch(100));
        Assert.Empty(answer.Response.Successful);
        Assert.Empty(answer.Response.Failed);
        Assert.NotNull(answer.Kept);
        Assert.Equal(3, requests);
    }

    [Fact]
    public async Task SendAsync_A413AloneIsARefusal_OnlyWhenTheChangeIsOverTheEntityLimit()
    {
        var sender = new PushBatchSender(batch =>
            batch.Any(e => e.DataJson!.Length > 50)
                ? throw new SyncTransportException(413, ErrorCodes.PayloadTooLarge, "too large")
                : Task.FromResult(Accept(batch)), maxEntityBytes: 100);

        var over = await sender.SendAsync(Batch(4, i => i == 2 ? $$"""{"name":"{{new string('x', 200)}}"}""" : """{"name":"x"}"""));
        Assert.Equal(3, over.Response.Successful.Count);
        Assert.Equal(("c2", ErrorCodes.PayloadTooLarge), (Assert.Single(over.Response.Failed).ChangeId, over.Response.Failed[0].Error.Code));
        Assert.Null(over.Kept);

        // Over the request limit of whatever is in between, yet within the entity limit: kept, not refused.
        var under = await sender.SendAsync(Batch(4, i => i == 2 ? $$"""{"name":"{{new string('x', 70)}}"}""" : """{"name":"x"}"""));
        Assert.Equal(3, under.Response.Successful.Count);
        Assert.Empty(under.Response.Failed);
        Assert.Equal(413, under.Kept?.StatusCode);
    }
}
