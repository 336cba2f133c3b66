using System.Text.Json;
using FrameLord.Sync.Protocol;

namespace FrameLord.Sync.Client;

public sealed partial class SyncClient
{
    /// <summary>Conflicts stored on this device: those needing review (open), or all of them. Works offline.</summary>
    public Task<IReadOnlyList<SyncConflict>> GetConflictsAsync(bool includeClosed = false, CancellationToken cancellationToken = default) =>
        Task.FromResult(_conflicts.List(includeClosed));

    /// <summary>Resolves a conflict with the values this device pushed (needs the server).</summary>
    public Task KeepLocalAsync(string conflictId, CancellationToken cancellationToken = default) =>
        _conflicts.ResolveAsync(conflictId, ResolutionChoices.KeepLocal, null, cancellationToken);

    /// <summary>Resolves a conflict with the values the change met (needs the server).</summary>
    public Task UseRemoteAsync(string conflictId, CancellationToken cancellationToken = default) =>
        _conflicts.ResolveAsync(conflictId, ResolutionChoices.UseRemote, null, cancellationToken);

    /// <summary>Resolves a conflict with the given field values (a JSON object; those fields only; needs the server).</summary>
    public Task MergeAsync(string conflictId, JsonElement values, CancellationToken cancellationToken = default) =>
        _conflicts.ResolveAsync(conflictId, ResolutionChoices.Merged, values, cancellationToken);

    /// <summary>
    /// Fetches every conflict the server holds for the account (those of other devices too) and stores
    /// them, so statuses resolved elsewhere show here. Returns how many conflicts are open.
    /// </summary>
    public Task<int> RefreshConflictsAsync(CancellationToken cancellationToken = default) => _conflicts.RefreshAsync(cancellationToken);
}
