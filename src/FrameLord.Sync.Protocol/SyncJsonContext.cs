using System.Text.Json;
using System.Text.Json.Serialization;

namespace FrameLord.Sync.Protocol;

/// <summary>
/// Source-generated JSON metadata for every wire type: snake_case names, at most 64 levels of
/// nesting (DESIGN 8), duplicate properties refused, numbers never read from strings.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    MaxDepth = MaxJsonDepth,
    AllowDuplicateProperties = false,
    NumberHandling = JsonNumberHandling.Strict,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,
    RespectRequiredConstructorParameters = true)]
[JsonSerializable(typeof(ErrorEnvelope))]
[JsonSerializable(typeof(SignupRequest))]
[JsonSerializable(typeof(LoginRequest))]
[JsonSerializable(typeof(AuthResponse))]
[JsonSerializable(typeof(RefreshRequest))]
[JsonSerializable(typeof(ChangePasswordRequest))]
[JsonSerializable(typeof(DeleteAccountRequest))]
[JsonSerializable(typeof(DeviceList))]
[JsonSerializable(typeof(PushRequest))]
[JsonSerializable(typeof(PushResponse))]
[JsonSerializable(typeof(PullRequest))]
[JsonSerializable(typeof(PullResponse))]
[JsonSerializable(typeof(ConflictList))]
[JsonSerializable(typeof(ResolveConflictRequest))]
[JsonSerializable(typeof(ResolveConflictResponse))]
[JsonSerializable(typeof(DocumentSyncRequest))]
[JsonSerializable(typeof(DocumentSyncResponse))]
[JsonSerializable(typeof(JsonElement))]
public sealed partial class SyncJsonContext : JsonSerializerContext
{
    /// <summary>The deepest nesting a request may have, counted from its root (DESIGN 8).</summary>
    public const int MaxJsonDepth = 64;
}
