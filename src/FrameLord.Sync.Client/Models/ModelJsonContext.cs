using System.Text.Json.Serialization;

namespace FrameLord.Sync.Client.Models;

/// <summary>Source-generated JSON for the entity models: snake_case like the wire, nulls written (a null clears a field).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(Contact))]
[JsonSerializable(typeof(Note))]
[JsonSerializable(typeof(TaskItem))]
[JsonSerializable(typeof(Interaction))]
[JsonSerializable(typeof(Folder))]
[JsonSerializable(typeof(Group))]
[JsonSerializable(typeof(Project))]
[JsonSerializable(typeof(Pipeline))]
internal sealed partial class ModelJsonContext : JsonSerializerContext;
