namespace FrameLord.Sync.Crdt;

/// <summary>A subdocument held in a type (content ref 9): its guid and options. Subdocuments are not loaded.</summary>
/// <param name="Guid">The subdocument's guid.</param>
/// <param name="Options">The options object written with it (JSON-like values), usually a dictionary.</param>
public sealed record YSubdocReference(string Guid, object? Options);
