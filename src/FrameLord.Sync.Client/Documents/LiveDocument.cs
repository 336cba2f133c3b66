using FrameLord.Sync.Client.Documents.Live;
using FrameLord.Sync.Crdt;

namespace FrameLord.Sync.Client.Documents;

/// <summary>
/// The one in-memory <see cref="YDoc"/> of a note while the app has it open or a sync step works on it.
/// Every local transaction is appended to the note's log by <see cref="Persist"/> before the transaction
/// returns; what a sync receives is appended by the sync step. So every row of the log is in the
/// document, and the document holds nothing the log lacks, except for the moment between an apply and
/// its commit.
/// </summary>
internal sealed class LiveDocument(string noteId, YDoc doc, int loadedRows)
{
    public string NoteId { get; } = noteId;

    public YDoc Doc { get; } = doc;

    /// <summary>The lock the SDK holds whenever it reads or changes the document.</summary>
    public object Gate { get; } = new();

    /// <summary>Where the SDK changes the document: the context of the first <c>OpenAsync</c> that had one (a UI thread), else under <see cref="Gate"/> anywhere.</summary>
    public SynchronizationContext? Context { get; set; }

    /// <summary>Open handles; guarded by the client's documents lock.</summary>
    public int Handles { get; set; }

    /// <summary>True while a sync step works on the document; guarded by the client's documents lock.</summary>
    public bool Syncing { get; set; }

    /// <summary>The log's row count when the document was loaded (compaction at open).</summary>
    public int LoadedRows { get; } = loadedRows;

    /// <summary>Set when appending an update failed: the next append writes the whole state, so the log misses nothing.</summary>
    public bool PersistFailed { get; set; }

    /// <summary>Presence on the note, shared by every handle; carried by <see cref="Connection"/> while it is live.</summary>
    public NoteAwareness? Awareness { get; set; }

    /// <summary>The note's live socket while the sync loop runs and a handle is open; guarded by the client's documents lock.</summary>
    public LiveNoteConnection? Connection { get; set; }

    /// <summary>Raised when <see cref="Connection"/> changes state (for the handles' <see cref="NoteDocument.ConnectionChanged"/>).</summary>
    public event EventHandler? ConnectionChanged;

    public void RaiseConnectionChanged() => ConnectionChanged?.Invoke(this, EventArgs.Empty);

    /// <summary>The <see cref="YDoc.UpdateV1"/> handler that appends local updates; detached when the document closes.</summary>
    public EventHandler<YUpdateEventArgs>? Persist { get; set; }

    /// <summary>Runs <paramref name="work"/> where the SDK may touch the document: on <see cref="Context"/> when there is one, always under <see cref="Gate"/>.</summary>
    public Task<T> RunAsync<T>(Func<T> work)
    {
        var context = Context;
        if (context is null || SynchronizationContext.Current == context)
        {
            lock (Gate)
            {
                return Task.FromResult(work());
            }
        }

        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        context.Post(_ =>
        {
            try
            {
                lock (Gate)
                {
                    done.SetResult(work());
                }
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
        }, null);
        return done.Task;
    }
}
