using System.Text;
using FrameLord.Sync.Client.Local;
using FrameLord.Sync.Protocol;

namespace FrameLord.Sync.Client.Engine;

/// <summary>What one batch came back with: the server's per-change answers, and the error that kept the rest in the outbox.</summary>
internal sealed record BatchAnswer(PushResponse Response, SyncTransportException? Kept)
{
    public static PushResponse Empty => new() { Successful = [], Failed = [], Conflicts = [] };

    public static BatchAnswer Combine(BatchAnswer a, BatchAnswer b) => new(
        new PushResponse
        {
            Successful = [.. a.Response.Successful, .. b.Response.Successful],
            Failed = [.. a.Response.Failed, .. b.Response.Failed],
            Conflicts = [.. a.Response.Conflicts, .. b.Response.Conflicts],
        },
        a.Kept ?? b.Kept);
}

/// <summary>
/// Sends a batch and narrows down a whole-request 400 or 413 (DESIGN 5.2). A change is refused only when the
/// server says so: a <c>failed</c> entry of a 200 answer, or a 413 for that change alone while the change by
/// itself is over the per-change entity limit (so no request could ever carry it). Any other whole-request
/// error names no change: the changes stay in the outbox and the error is handed back
/// (<see cref="BatchAnswer.Kept"/>) for the loop to show and retry with backoff.
/// A 413 halves the batch (smaller requests may fit); a 400 halves it only while exactly one half fails,
/// so one malformed change is found in a logarithmic number of requests and the others go through, while an
/// error about the request itself (the device id, the encoding, a proxy's page) stops after the first split.
/// </summary>
internal sealed class PushBatchSender(Func<IReadOnlyList<OutboxEntry>, Task<PushResponse>> send, int maxEntityBytes)
{
    public async Task<BatchAnswer> SendAsync(IReadOnlyList<OutboxEntry> batch)
    {
        try
        {
            return new BatchAnswer(await send(batch), null);
        }
        catch (SyncTransportException e) when (IsWholeRequestRefusal(e))
        {
            return await NarrowAsync(batch, e);
        }
    }

    private static bool IsWholeRequestRefusal(SyncTransportException e) => e.StatusCode is 400 or 413 && e is not SchemaMismatchException;

    private async Task<BatchAnswer> NarrowAsync(IReadOnlyList<OutboxEntry> batch, SyncTransportException error)
    {
        if (batch.Count == 1)
        {
            var entry = batch[0];
            return error.StatusCode == 413 && IsOverEntityLimit(entry)
                ? new BatchAnswer(Refused(entry, error), null)
                : new BatchAnswer(BatchAnswer.Empty, error);
        }

        var half = batch.Count / 2;
        IReadOnlyList<OutboxEntry> first = batch.Take(half).ToArray(), second = batch.Skip(half).ToArray();
        var (a, aError) = await TryAsync(first);
        var (b, bError) = await TryAsync(second);
        if (aError is { StatusCode: 400 } && bError is { StatusCode: 400 })
        {
            // Both halves refused as a whole: the request is at fault, not one change in it.
            return new BatchAnswer(BatchAnswer.Empty, aError);
        }

        var left = aError is null ? new BatchAnswer(a!, null) : await NarrowAsync(first, aError);
        var right = bError is null ? new BatchAnswer(b!, null) : await NarrowAsync(second, bError);
        return BatchAnswer.Combine(left, right);
    }

    private async Task<(PushResponse? Response, SyncTransportException? Error)> TryAsync(IReadOnlyList<OutboxEntry> batch)
    {
        try
        {
            return (await send(batch), null);
        }
        catch (SyncTransportException e) when (IsWholeRequestRefusal(e))
        {
            return (null, e);
        }
    }

    private bool IsOverEntityLimit(OutboxEntry entry) =>
        entry.DataJson is { } json && Encoding.UTF8.GetByteCount(json) > maxEntityBytes;

    private static PushResponse Refused(OutboxEntry entry, SyncTransportException e) => new()
    {
        Successful = [],
        Failed = [new ChangeFailed { ChangeId = entry.ChangeId, EntityType = entry.EntityType, EntityId = entry.EntityId, Error = new ErrorBody { Code = e.Code, Message = e.Message } }],
        Conflicts = [],
    };
}
