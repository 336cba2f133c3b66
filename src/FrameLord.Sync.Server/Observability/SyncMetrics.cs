using System.Diagnostics.Metrics;
using FrameLord.Sync.Protocol;

namespace FrameLord.Sync.Server.Observability;

/// <summary>
/// The server's meter, <c>FrameLord.Sync.Server</c>, created through <see cref="IMeterFactory"/> so each
/// host (and each test's server) has its own. Instruments follow the OpenTelemetry naming rules; their
/// tags are small closed sets (never a user, device or entity id), so series stay bounded.
/// Recording without a listener is a branch on <see cref="Instrument.Enabled"/>.
/// </summary>
internal sealed class SyncMetrics
{
    private readonly Counter<long> _changesPushed;
    private readonly Counter<long> _changesPulled;
    private readonly Counter<long> _conflicts;
    private readonly Counter<long> _documentUpdates;
    private readonly Counter<long> _documentUpdateBytes;
    private readonly Counter<long> _compactions;
    private readonly Counter<long> _rateLimited;
    private readonly Histogram<double> _storeDuration;

    public SyncMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(SyncTelemetry.Name);
        _changesPushed = meter.CreateCounter<long>("framelord.sync.changes.pushed", "{change}",
            "Changes received by push, by outcome (successful, failed); a replay counts again.");
        _changesPulled = meter.CreateCounter<long>("framelord.sync.changes.pulled", "{change}", "Changes answered by pull.");
        _conflicts = meter.CreateCounter<long>("framelord.sync.conflicts", "{conflict}",
            "Conflicts met by pushed changes, by kind (local_won, remote_won, mixed) and whether they need review.");
        _documentUpdates = meter.CreateCounter<long>("framelord.sync.document.updates", "{update}",
            "Yjs updates accepted into note documents, by transport (rest, socket).");
        _documentUpdateBytes = meter.CreateCounter<long>("framelord.sync.document.update.size", "By",
            "Bytes of the Yjs updates accepted into note documents.");
        _compactions = meter.CreateCounter<long>("framelord.sync.document.compactions", "{compaction}",
            "Document compactions, by outcome (installed, skipped).");
        _rateLimited = meter.CreateCounter<long>("framelord.sync.rate_limit.refusals", "{request}",
            "Requests refused with 429 RATE_LIMITED.");
        _storeDuration = meter.CreateHistogram<double>("framelord.sync.store.operation.duration", "s",
            "Duration of store operations, by store (sqlite, postgresql) and operation.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5] });
        Meter = meter;
    }

    /// <summary>The meter, for observable instruments registered by the parts that own the state (open streams, sockets).</summary>
    public Meter Meter { get; }

    public bool StoreTimingEnabled => _storeDuration.Enabled;

    public void Pushed(PushResponse response)
    {
        if (_changesPushed.Enabled)
        {
            _changesPushed.Add(response.Successful.Count, new KeyValuePair<string, object?>("outcome", "successful"));
            _changesPushed.Add(response.Failed.Count, new KeyValuePair<string, object?>("outcome", "failed"));
        }

        if (_conflicts.Enabled)
        {
            foreach (var conflict in response.Conflicts)
            {
                _conflicts.Add(1,
                    new KeyValuePair<string, object?>("kind", conflict.Resolution),
                    new KeyValuePair<string, object?>("needs_review", conflict.NeedsReview));
            }
        }
    }

    public void Pulled(int changes) => _changesPulled.Add(changes);

    public void DocumentUpdateAccepted(int bytes, string transport)
    {
        var tag = new KeyValuePair<string, object?>("transport", transport);
        _documentUpdates.Add(1, tag);
        _documentUpdateBytes.Add(bytes, tag);
    }

    public void Compacted(bool installed) =>
        _compactions.Add(1, new KeyValuePair<string, object?>("outcome", installed ? "installed" : "skipped"));

    public void RateLimited() => _rateLimited.Add(1);

    public void StoreOperation(string store, string operation, TimeSpan elapsed) =>
        _storeDuration.Record(elapsed.TotalSeconds,
            new KeyValuePair<string, object?>("db.system.name", store),
            new KeyValuePair<string, object?>("db.operation.name", operation));
}
