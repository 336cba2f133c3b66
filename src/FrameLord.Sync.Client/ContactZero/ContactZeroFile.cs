using System.Text.Json;
using System.Text.Json.Nodes;

namespace FrameLord.Sync.Client;

/// <summary>A field of Contact Zero as the import shows it: this account's value beside the imported one.</summary>
public sealed record ContactZeroField(string Name, JsonElement? Current, JsonElement? Imported)
{
    public bool Differs => !JsonNode.DeepEquals(Node(Current), Node(Imported));

    private static JsonNode? Node(JsonElement? e) => e is { ValueKind: not JsonValueKind.Null } v ? JsonNode.Parse(v.GetRawText()) : null;
}

/// <summary>Which side a field of Contact Zero takes on import.</summary>
public enum ContactZeroChoice
{
    /// <summary>This account's value (the default for a field the app does not name).</summary>
    KeepCurrent,

    /// <summary>The value from the imported file.</summary>
    UseImported,
}

/// <summary>A read Contact Zero file, ready for the app's merge form (<see cref="SyncClient.ImportContactZeroAsync"/>).</summary>
public sealed class ContactZeroImport
{
    internal ContactZeroImport(string oldId, JsonObject contactZero, IReadOnlyList<(string Type, string Id, JsonObject Data)> references, IReadOnlyList<ContactZeroField> fields)
    {
        OldId = oldId;
        ContactZero = contactZero;
        References = references;
        Fields = fields;
    }

    /// <summary>The Contact Zero id in the other account; references to it are rewritten to this account's.</summary>
    public string OldId { get; }

    /// <summary>Every user field of either side, with both values.</summary>
    public IReadOnlyList<ContactZeroField> Fields { get; }

    /// <summary>How many entities in the file point at the old Contact Zero.</summary>
    public int ReferenceCount => References.Count;

    internal JsonObject ContactZero { get; }

    internal IReadOnlyList<(string Type, string Id, JsonObject Data)> References { get; }
}

/// <summary>What an import did.</summary>
public sealed record ContactZeroImportResult(IReadOnlyList<string> FieldsTaken, int EntitiesImported, int EntitiesSkipped);

/// <summary>A Contact Zero file this SDK cannot read: not one, or from a newer format.</summary>
public sealed class ContactZeroFormatException : FormatException
{
    public ContactZeroFormatException() { }

    public ContactZeroFormatException(string message) : base(message) { }

    public ContactZeroFormatException(string message, Exception innerException) : base(message, innerException) { }
}
