using System.Text.Json.Serialization;

namespace FrameLord.Sync.Server.Live;

/// <summary>The data of a <c>doc</c> live event.</summary>
internal sealed record DocumentEvent(string NoteId, long SyncVersion);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(DocumentEvent))]
internal sealed partial class LiveJsonContext : JsonSerializerContext;
