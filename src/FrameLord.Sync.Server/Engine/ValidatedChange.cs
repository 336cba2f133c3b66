using System.Text.Json;
using FrameLord.Sync.Protocol;

namespace FrameLord.Sync.Server.Engine;

/// <summary>
/// A change that passed validation: its fields as the merge takes them (a delete is
/// <c>is_archived = true</c>), and the stamp it writes with.
/// </summary>
internal sealed record ValidatedChange(
    string ChangeId,
    string EntityType,
    string EntityId,
    IReadOnlyList<KeyValuePair<string, JsonElement>> Fields,
    Stamp Stamp,
    long BaseVersion,
    long SyncVersion,
    DateTimeOffset CreatedAtHint);

/// <summary>A field two writers set to different values without seeing each other's write.</summary>
internal readonly record struct ContestedField(string Name, JsonElement Local, JsonElement Remote, bool LocalWon, FieldStamp RemoteStamp)
{
    public long RemoteTicks => RemoteStamp.TimestampTicks;
}

/// <summary>The entity after one change, and what the change met.</summary>
internal sealed record MergeResult(EntityState State, IReadOnlyList<ContestedField> Contested, bool NeedsReview);
