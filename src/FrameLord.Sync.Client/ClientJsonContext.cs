using System.Text.Json.Serialization;

namespace FrameLord.Sync.Client;

/// <summary>Source-generated JSON for the client's own small local values.</summary>
[JsonSerializable(typeof(string[]))]
internal sealed partial class ClientJsonContext : JsonSerializerContext;
