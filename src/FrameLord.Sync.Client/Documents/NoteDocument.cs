using FrameLord.Sync.Client.Documents;
using FrameLord.Sync.Crdt;

namespace FrameLord.Sync.Client;

/// <summary>
/// An open note body (DESIGN 6), from <see cref="DocumentStore.OpenAsync"/>. The app edits <see cref="Doc"/>
/// directly; each transaction is committed to the device's database before it returns, and syncs with
/// the note's next sync. Every handle open on a note shares one <see cref="YDoc"/>. Disposing the last
/// handle closes the document: later edits of that <see cref="YDoc"/> are neither stored nor synced.
/// </summary>
/// <remarks>
/// The SDK changes the document (when a sync brings what other devices wrote) on the
/// <see cref="SynchronizationContext"/> that was current at the first <c>OpenAsync</c> (a UI thread), and
/// always inside <c>lock (SyncRoot)</c>. Without such a context the changes come on the sync loop's
/// thread: an app that edits while the loop runs then edits inside <c>lock (SyncRoot)</c> too. A sync step
/// waits for its changes to run on that context, so the app must not block the context's thread on a sync.
/// </remarks>
public sealed class NoteDocument : IDisposable, IAsyncDisposable
{
    private readonly SyncClient _client;
    private readonly LiveDocument _live;
    private int _disposed;

    internal NoteDocument(SyncClient client, LiveDocument live)
    {
        _client = client;
        _live = live;
    }

    /// <summary>The note's id (the user's namespace of note ids; a note entity with that id need not exist).</summary>
    public string NoteId => _live.NoteId;

    /// <summary>The note's body. The same instance for every handle open on the note.</summary>
    public YDoc Doc => _live.Doc;

    /// <summary>The lock the SDK holds while it reads or changes <see cref="Doc"/>.</summary>
    public object SyncRoot => _live.Gate;

    /// <summary>
    /// Presence on the note (y-protocols awareness): set this device's state (user name, cursor) and read the
    /// others'. Shared by every handle on the note; carried by the live socket while <see cref="Connection"/> is
    /// <see cref="DocumentConnection.Live"/>.
    /// </summary>
    public NoteAwareness Awareness => _live.Awareness!;

    /// <summary>
    /// How the note reaches the server now: <see cref="DocumentConnection.Live"/> over the y-websocket endpoint
    /// while the sync loop runs and the server is reachable (edits propagate as they are made), else by the REST
    /// delta sync of the loop. Either way every edit is in the device's log first.
    /// </summary>
    public DocumentConnection Connection => _live.Connection?.State ?? DocumentConnection.Rest;

    /// <summary>Raised when <see cref="Connection"/> changes, on the socket's thread.</summary>
    public event EventHandler? ConnectionChanged
    {
        add => _live.ConnectionChanged += value;
        remove => _live.ConnectionChanged -= value;
    }

    /// <summary>True once this handle was disposed.</summary>
    public bool IsClosed => Volatile.Read(ref _disposed) != 0;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _client.ReleaseDocument(_live);
        }
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }
}
