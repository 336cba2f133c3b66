using FrameLord.Sync.Protocol;
using FrameLord.Sync.Server.Configuration;
using FrameLord.Sync.Server.Observability;
using FrameLord.Sync.Server.Storage;

namespace FrameLord.Sync.Server.Engine;

/// <summary>
/// The sync engine behind the endpoints: push, pull and conflicts over one <see cref="ISyncStore"/>.
/// It speaks in wire types and <see cref="ApiException"/>s and knows nothing of HTTP, so the same
/// engine runs behind Kestrel and inside a deterministic in-memory simulation.
/// </summary>
public sealed partial class SyncService
{
    private readonly ISyncStore _store;
    private readonly SyncOptions _options;
    private readonly LimitOptions _limits;
    private readonly TimeProvider _time;
    private readonly IIdGenerator _ids;
    private readonly ChangeMerger _merger;
    private readonly SyncMetrics? _metrics;

    public SyncService(ISyncStore store, SyncOptions options, LimitOptions limits, TimeProvider time, IIdGenerator ids)
        : this(store, options, limits, time, ids, null)
    {
    }

    /// <summary>The host's constructor: <paramref name="metrics"/> counts what the engine does (none: nothing is counted).</summary>
    internal SyncService(ISyncStore store, SyncOptions options, LimitOptions limits, TimeProvider time, IIdGenerator ids, SyncMetrics? metrics)
    {
        _metrics = metrics;
        _store = store;
        _options = options;
        _limits = limits;
        _time = time;
        _ids = ids;
        _merger = new ChangeMerger(options);
    }

    public ISyncStore Store => _store;

    public SyncOptions Options => _options;

    public LimitOptions Limits => _limits;

    /// <summary>Raised after a commit that changed a user's entities: user id and the cursor after the commit (for live events).</summary>
    public event Action<string, string>? EntitiesChanged;

    private void CheckSchema(string? schemaVersion)
    {
        if (schemaVersion is null || !_options.EffectiveSchemaVersions.Contains(schemaVersion, StringComparer.Ordinal))
        {
            throw new ApiException(426, ErrorCodes.SchemaMismatch, "Please update FrameLord to the latest version")
            {
                RequiredVersion = _options.EffectiveRequiredVersion,
            };
        }
    }

    private void CheckDeviceId(string? deviceId)
    {
        if (!ChangeValidator.IsValidId(deviceId, _limits.MaxIdLength))
        {
            throw ApiException.Validation($"device_id must be 1 to {_limits.MaxIdLength} characters without control characters.");
        }
    }
}
