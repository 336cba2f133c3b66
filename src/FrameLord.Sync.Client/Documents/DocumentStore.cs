using FrameLord.Sync.Client.Local;
using FrameLord.Sync.Client.Parts;
using FrameLord.Sync.Crdt;

namespace FrameLord.Sync.Client;

/// <summary>
/// Note bodies as Yjs documents (DESIGN 6), <see cref="SyncClient.Documents"/>. A body is stored on the
/// device as an append-only log of updates (every local transaction committed at once) and synced by
/// delta from the last state vector the server sent; offline edits merge on the next sync.
/// </summary>
public sealed class DocumentStore
{
    private readonly DocumentRegistry _registry;
    private readonly DocumentSyncSession _sync;
    private readonly LocalReader _reader;

    internal DocumentStore(DocumentRegistry registry, DocumentSyncSession sync, LocalReader reader)
    {
        _registry = registry;
        _sync = sync;
        _reader = reader;
    }

    /// <summary>
    /// Opens the note's body from the device's store (offline too) and asks the sync loop for a sync, which
    /// brings what the server has (on a device new to the note: everything). While a handle is open the
    /// note syncs in every sync step. The same <see cref="Crdt.YDoc"/> for every handle open at once.
    /// </summary>
    public Task<NoteDocument> OpenAsync(string noteId, CancellationToken cancellationToken = default) =>
        _registry.OpenAsync(noteId, cancellationToken);

    /// <summary>
    /// Syncs one note now, open or not, and sends its edits even when the server refused them before.
    /// Throws the <see cref="SyncException"/> of a failure.
    /// </summary>
    public Task SyncAsync(string noteId, CancellationToken cancellationToken = default) =>
        _sync.SyncNowAsync(noteId, cancellationToken);

    /// <summary>The note's body on this device as one Yjs v1 update (the empty update when the device has none).</summary>
    public Task<byte[]> GetStateAsync(string noteId, CancellationToken cancellationToken = default) =>
        _registry.GetStateAsync(noteId);

    /// <summary>The note body's sync metadata, or null when the device never stored or synced it.</summary>
    public Task<DocumentSyncInfo?> GetSyncInfoAsync(string noteId, CancellationToken cancellationToken = default) =>
        Task.FromResult(_reader.Document(noteId) is { } row
            ? new DocumentSyncInfo(row.SyncVersion, row.HasUnsyncedChanges,
                row.LastSyncedAt is { } at ? new DateTimeOffset(at, TimeSpan.Zero) : null, row.LogCount, row.FailedCode, row.FailedMessage)
            : null);

    /// <summary>The ids of the notes open on this device, in id order.</summary>
    public IReadOnlyList<string> OpenNotes => _registry.OpenNoteIds();

    internal static byte[] EmptyUpdate => YUpdate.Empty.ToArray();
}
