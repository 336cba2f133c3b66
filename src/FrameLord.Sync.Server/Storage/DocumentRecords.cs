namespace FrameLord.Sync.Server.Storage;

/// <summary>
/// A note's Yjs document as stored: a compacted snapshot (a V1 update of the whole document, with
/// its state vector and its delete set as a delete-only update, so a caught-up client never needs the
/// snapshot itself) plus a log of later updates. <see cref="StateVector"/> and <see cref="DeleteSet"/>
/// (every deleted range, as a delete-only update) cover snapshot and log.
/// </summary>
public sealed record DocumentHead(
    long SyncVersion,
    byte[] StateVector,
    byte[] SnapshotStateVector,
    byte[] SnapshotDeleteSet,
    long SnapshotSeq,
    int LogCount,
    long LogBytes,
    byte[] DeleteSet);

/// <summary>What an appended update moves: the document's state vector and its delete set.</summary>
public readonly record struct DocumentState(byte[] StateVector, byte[] DeleteSet);

/// <summary>One logged update; <see cref="Seq"/> orders the log and is above the head's snapshot seq.</summary>
public sealed record DocumentUpdateRow(long Seq, byte[] Update);

/// <summary>A consistent read of a document: its head, its log after the snapshot, and the snapshot when asked for.</summary>
public sealed record DocumentView(DocumentHead Head, byte[]? Snapshot, IReadOnlyList<DocumentUpdateRow> Log);

/// <summary>A compacted snapshot to install in place of the snapshot and the log up to <see cref="FoldedSeq"/>.</summary>
public sealed record DocumentSnapshot(long ExpectedSnapshotSeq, long FoldedSeq, int FoldedCount, long FoldedBytes,
    byte[] Snapshot, byte[] StateVector, byte[] DeleteSet);

/// <summary>A document after an append: its head and the bytes it holds in storage (snapshot plus log), read in the append's transaction.</summary>
public sealed record DocumentAppend(DocumentHead Head, long StoredBytes);
