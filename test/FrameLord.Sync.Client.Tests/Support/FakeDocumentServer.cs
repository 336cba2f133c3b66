using FrameLord.Sync.Crdt;
using FrameLord.Sync.Protocol;

namespace FrameLord.Sync.Client.Tests.Support;

/// <summary>
/// The document half of a server for tests of the client's own logic, plugged into
/// <see cref="ScriptedTransport.OnDocumentSync"/>: one YDoc per note takes each update and answers with
/// what the client's state vector lacks. No integrability check (the real server's tests have those).
/// </summary>
public sealed class FakeDocumentServer
{
    private readonly Dictionary<string, (YDoc Doc, long Version)> _notes = new(StringComparer.Ordinal);

    /// <summary>Called first with each request; throwing from it fails the request as a server would.</summary>
    public Action<string, DocumentSyncRequest>? Before { get; set; }

    public YDoc Note(string noteId) => Entry(noteId).Doc;

    public DocumentSyncResponse Sync(string noteId, DocumentSyncRequest request)
    {
        Before?.Invoke(noteId, request);
        var (doc, version) = Entry(noteId);
        if (request.YjsUpdates is { Length: > 0 } update)
        {
            doc.ApplyUpdate(update);
            version++;
            _notes[noteId] = (doc, version);
        }

        return new DocumentSyncResponse
        {
            Updates = doc.EncodeStateAsUpdate(request.StateVector ?? [0]),
            NewStateVector = doc.EncodeStateVector(),
            SyncVersion = version,
        };
    }

    private (YDoc Doc, long Version) Entry(string noteId)
    {
        if (!_notes.TryGetValue(noteId, out var entry))
        {
            entry = (new YDoc(new YDocOptions { ClientId = YDoc.MaxClientId }), 0);
            _notes[noteId] = entry;
        }

        return entry;
    }
}
