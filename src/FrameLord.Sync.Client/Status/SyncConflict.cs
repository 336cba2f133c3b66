using System.Text.Json;

namespace FrameLord.Sync.Client;

/// <summary>
/// A conflict the server recorded for one of this device's changes (DESIGN 3.2, 4): the contested
/// <see cref="Fields"/>, the values this device pushed (<see cref="Local"/>), the values they met
/// (<see cref="Remote"/>), and the entity after the merge (<see cref="Winner"/>; a JSON null when the server
/// left it out of the record, DESIGN 3.4: the entity itself arrives by pull).
/// </summary>
public sealed record SyncConflict(
    string ConflictId,
    string ChangeId,
    string EntityType,
    string EntityId,
    IReadOnlyList<string> Fields,
    string Resolution,
    bool NeedsReview,
    string Status,
    JsonElement Winner,
    JsonElement Local,
    JsonElement Remote,
    DateTimeOffset CreatedAt);
