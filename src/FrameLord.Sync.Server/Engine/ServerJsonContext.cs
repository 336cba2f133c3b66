using System.Text.Json.Serialization;
using FrameLord.Sync.Protocol;

namespace FrameLord.Sync.Server.Engine;

/// <summary>Source-generated JSON for what the server stores beside the wire types.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(RecordedOutcome))]
[JsonSerializable(typeof(Conflict))]
internal sealed partial class ServerJsonContext : JsonSerializerContext;
