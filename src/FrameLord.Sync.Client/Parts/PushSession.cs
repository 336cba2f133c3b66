using System.Text.Json;
using System.Text.Json.Nodes;
using FrameLord.Sync.Client.Engine;
using FrameLord.Sync.Client.Local;
using FrameLord.Sync.Client.Transport;
using FrameLord.Sync.Protocol;

namespace FrameLord.Sync.Client.Parts;

/// <summary>
/// The push half of a sync step (DESIGN 5.2): the outbox in batches, oldest first, each marked sent before it
/// goes out, the next batch in flight while an answer is recorded in short transactions; conflicts stored
/// and raised, refusals recorded and raised.
/// </summary>
internal sealed class PushSession(
    LocalDatabase db, TimeProvider time, SyncClientOptions options, DeviceIdentity identity, AccessTokens tokens, ISyncTransport transport,
    SyncStatusTracker status, SyncEvents events)
{
    /// <summary>Crash point: a batch is marked sent (committed) and about to go out.</summary>
    internal const string FaultBeforeSend = "push.before-send";

    /// <summary>Crash point: the server answered; the answer is applied but not yet committed.</summary>
    internal const string FaultBeforeAck = "push.before-ack";

    /// <summary>Answers recorded per write transaction.</summary>
    private const int AckChunkSize = 25;

    /// <summary>
    /// Pushes the outbox in batches (DESIGN 5.2), oldest first. A batch is marked sent before it goes
    /// out and is resent unchanged (same change ids) until the server answers, so a lost answer never
    /// applies a change twice. Accepted changes leave the outbox; changes the server refuses leave it too and
    /// are reported; conflicts are stored and raised. A whole-request error that names no change keeps the
    /// changes and ends the push with that error (the answers recorded so far stay).
    /// </summary>
    public async Task<(int Pushed, int Rejected, int Conflicts)> PushAsync(CancellationToken cancellationToken)
    {
        int pushed = 0, rejected = 0, conflicts = 0;
        long done = 0;
        if (db.PendingCount == 0)
        {
            return (0, 0, 0);
        }

        status.Report(SyncPhase.Push, 0, db.PendingCount);
        // Writes made while this push runs wait for the next sync, so a step always ends (and pulls) even
        // under a steady stream of local writes.
        var upTo = db.LastSeq;
        var batch = await TakeBatchAsync(0, upTo, cancellationToken);
        if (batch.Count == 0)
        {
            return (0, 0, 0);
        }

        db.Fault(FaultBeforeSend);
        var sending = SendBatchAsync(batch, cancellationToken);
        while (true)
        {
            var (response, kept) = await sending;
            var now = time.GetUtcNow().UtcTicks;
            // The next batch goes out while this answer is recorded (its entries are marked sent first, like any batch).
            // After an error that kept changes, nothing more goes out in this step: the loop retries with backoff.
            var next = kept is null ? await TakeBatchAsync(batch[^1].Seq, upTo, cancellationToken) : [];

            sending = next.Count > 0 ? SendBatchAsync(next, cancellationToken) : Task.FromResult<BatchAnswer>(null!);
            // Each change's answer is recorded on its own (a crash between chunks resends the rest, which
            // the server replays), so the answer is applied in short transactions that local writes slip between.
            List<SyncConflict> found = [];
            List<RejectedChange> rejectedChanges = [];
            var answered = 0;
            try
            {
                foreach (var chunk in batch.Chunk(AckChunkSize))
                {
                    var (f, r, n) = await db.WriteAsync(w =>
                    {
                        var result = ApplyPushResponse(w, chunk, response, now);
                        db.Fault(FaultBeforeAck);
                        return result;
                    }, cancellationToken);
                    found.AddRange(f);
                    rejectedChanges.AddRange(r);
                    answered += n;
                }
            }
            catch
            {
                TaskObservation.Observe(sending);
                throw;
            }

            foreach (var conflict in found)
            {
                events.OnConflictDetected(new ConflictEventArgs(conflict));
            }

            foreach (var change in rejectedChanges)
            {
                events.OnChangeRejected(new ChangeRejectedEventArgs(change));
            }

            if (kept is not null)
            {
                status.Refresh();
                throw kept;
            }

            if (answered == 0)
            {
                TaskObservation.Observe(sending);
                throw new SyncTransportException(200, "INCOMPLETE_RESPONSE", "The push answer named none of the batch's changes; the batch will be sent again.");
            }

            pushed += response.Successful.Count;
            rejected += rejectedChanges.Count;
            conflicts += found.Count;
            done += batch.Count;
            status.Refresh();
            status.Report(SyncPhase.Push, done, done + db.PendingCount);
            if (next.Count == 0)
            {
                return (pushed, rejected, conflicts);
            }

            batch = next;
        }
    }

    /// <summary>Takes the oldest entries in (<paramref name="afterSeq"/>, <paramref name="upTo"/>] as a batch and marks them sent, in one transaction.</summary>
    private Task<List<OutboxEntry>> TakeBatchAsync(long afterSeq, long upTo, CancellationToken cancellationToken) =>
        db.WriteAsync(w =>
        {
            var entries = w.PeekOutbox(afterSeq, upTo, options.PushBatchSize);
            if (entries.Count > 0)
            {
                w.MarkSentThrough(entries[^1].Seq);
            }

            return entries;
        }, cancellationToken);

    /// <summary>Sends one batch; a whole-request 400 or 413 is narrowed down as <see cref="PushBatchSender"/> says.</summary>
    private Task<BatchAnswer> SendBatchAsync(IReadOnlyList<OutboxEntry> batch, CancellationToken cancellationToken) =>
        new PushBatchSender(part => SendAsync(part, cancellationToken), options.MaxEntityBytes).SendAsync(batch);

    private Task<PushResponse> SendAsync(IReadOnlyList<OutboxEntry> batch, CancellationToken cancellationToken)
    {
        var request = new PushRequest
        {
            DeviceId = identity.DeviceId,
            ClientVersion = options.ClientVersion,
            SchemaVersion = options.SchemaVersion,
            SyncTimestamp = time.GetUtcNow(),
            Changes = batch.Select(ToChange).ToArray(),
        };
        return tokens.AuthorizedAsync(token => transport.PushAsync(request, token, cancellationToken), cancellationToken);
    }

    private static Change ToChange(OutboxEntry entry) => new()
    {
        ChangeId = entry.ChangeId,
        EntityType = entry.EntityType,
        EntityId = entry.EntityId,
        Operation = entry.Operation,
        Data = entry.DataJson is { } json ? JsonDocument.Parse(json).RootElement : null,
        ClientTimestamp = new DateTimeOffset(entry.ClientTimestamp, TimeSpan.Zero),
        SyncVersion = entry.SyncVersion,
        BaseVersion = entry.BaseVersion,
    };

    private (List<SyncConflict> Conflicts, List<RejectedChange> Rejected, int Answered) ApplyPushResponse(
        LocalWriter w, IReadOnlyList<OutboxEntry> batch, PushResponse response, long now)
    {
        var byId = new Dictionary<string, OutboxEntry>(batch.Count, StringComparer.Ordinal);
        foreach (var entry in batch)
        {
            byId[entry.ChangeId] = entry;
        }

        var conflictsByChange = new Dictionary<string, Conflict>(StringComparer.Ordinal);
        foreach (var conflict in response.Conflicts)
        {
            conflictsByChange.TryAdd(conflict.ChangeId, conflict);
        }

        var winners = ConflictRecords.WinnersByChange(response.Conflicts);
        var found = new List<SyncConflict>();
        foreach (var ok in response.Successful)
        {
            if (!byId.Remove(ok.ChangeId, out var entry))
            {
                continue;
            }

            w.DeleteOutbox(entry.Seq);
            var hasConflict = conflictsByChange.TryGetValue(ok.ChangeId, out var conflict);
            if (!hasConflict && entry.Operation == Operations.Create)
            {
                // A create pushed the whole entity: it becomes the shadow as it is, without reading the row.
                w.Acknowledge(entry.EntityType, entry.EntityId, ok.SyncVersion, null, entry.DataJson ?? "{}", now, identity.DeviceId);
                continue;
            }

            var entity = w.GetEntity(entry.EntityType, entry.EntityId);
            if (entity is null)
            {
                continue;
            }

            if (hasConflict)
            {
                var winnerElement = ConflictRecords.WinnerOf(conflict!, winners);
                var stored = ConflictRecords.Store(w, conflict!, winnerElement, now);
                found.Add(stored);
                if (winnerElement is null)
                {
                    // The server left the winner out (DESIGN 3.4): the entity stays as it is until the
                    // pull that follows every push brings the merged state; its versions stay too, so
                    // that pull is not mistaken for something already seen.
                    continue;
                }

                var winner = JsonNode.Parse(winnerElement.Value.GetRawText()) as JsonObject ?? [];
                entity.Shadow = winner;
                // The server's merge decided; edits made since (still pending) stay on top of it.
                var shown = (JsonObject)winner.DeepClone();
                var remaining = w.GetOutbox(entry.EntityType, entry.EntityId);
                foreach (var (name, _) in PullMerger.PendingFields(remaining, identity.DeviceId))
                {
                    shown[name] = EntityJson.Field(entity.Data, name)?.DeepClone();
                }

                entity.Data = shown;
                entity.IsArchived = EntityJson.IsArchived(shown);
            }
            else
            {
                var shadow = entity.Shadow ?? [];
                EntityJson.Apply(shadow, entry.Data);
                if (entry.Operation == Operations.Delete)
                {
                    shadow[EntityFields.IsArchived] = true;
                }

                w.Acknowledge(entry.EntityType, entry.EntityId, ok.SyncVersion, shadow.ToJsonString(), null, now, identity.DeviceId);
                continue;
            }

            entity.ServerVersion = Math.Max(entity.ServerVersion, ok.SyncVersion);
            entity.SyncVersion = Math.Max(entity.SyncVersion, ok.SyncVersion);
            EntityJson.SetMetadata(entity.Data, entity.EntityId, entity.CreatedAt, entity.UpdatedAt, entity.SyncVersion, entity.IsArchived);
            entity.LastSyncedAt = now;
            entity.LastSyncedDeviceId = identity.DeviceId;
            w.PutEntity(entity);
        }

        var rejected = new List<RejectedChange>();
        foreach (var failed in response.Failed)
        {
            if (!byId.Remove(failed.ChangeId, out var entry))
            {
                continue;
            }

            w.DeleteOutbox(entry.Seq);
            w.InsertRejected(entry, failed.Error.Code, failed.Error.Message, now);
            rejected.Add(new RejectedChange(entry.ChangeId, entry.EntityType, entry.EntityId, entry.Operation,
                entry.Data is null ? null : JsonDocument.Parse(entry.Data.ToJsonString()).RootElement, failed.Error.Code, failed.Error.Message,
                new DateTimeOffset(now, TimeSpan.Zero)));
        }

        if (found.Count > 0)
        {
            status.RecountConflicts(w);
        }

        return (found, rejected, batch.Count - byId.Count);
    }
}
