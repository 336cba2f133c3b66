namespace FrameLord.Sync.Client;

/// <summary>
/// A pull changed what the app shows of an entity because of another device's write ("Contact
/// updated on another device").
/// </summary>
public sealed class RemoteChangeEventArgs(string entityType, string entityId, string modifiedByDevice, IReadOnlyList<string> fields, bool isNew, bool isArchived)
    : EventArgs
{
    public string EntityType { get; } = entityType;

    public string EntityId { get; } = entityId;

    public string ModifiedByDevice { get; } = modifiedByDevice;

    /// <summary>The fields whose shown value changed.</summary>
    public IReadOnlyList<string> Fields { get; } = fields;

    /// <summary>True when the entity was not on this device before.</summary>
    public bool IsNew { get; } = isNew;

    /// <summary>True when the entity is now deleted (archived).</summary>
    public bool IsArchived { get; } = isArchived;

    /// <summary>A line for a notification, e.g. "Contact updated on another device".</summary>
    public string Message =>
        $"{char.ToUpperInvariant(EntityType[0])}{EntityType[1..]} {(IsArchived ? "deleted" : IsNew ? "created" : "updated")} on another device";
}
