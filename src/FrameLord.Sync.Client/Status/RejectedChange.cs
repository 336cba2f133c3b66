using System.Text.Json;

namespace FrameLord.Sync.Client;

/// <summary>A change the server refused (per-change failure, DESIGN 3.2), with the contract's error code.</summary>
public sealed record RejectedChange(
    string ChangeId, string EntityType, string EntityId, string Operation, JsonElement? Data, string Code, string Message, DateTimeOffset RejectedAt);
