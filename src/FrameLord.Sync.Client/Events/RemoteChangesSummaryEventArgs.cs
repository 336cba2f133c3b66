using System.Globalization;

namespace FrameLord.Sync.Client;

/// <summary>
/// One pull brought more changes from other devices than <see cref="SyncClientOptions.NotificationSummaryThreshold"/>
/// (a first sync of thousands of entities, say): one summary instead of an event per entity.
/// </summary>
public sealed class RemoteChangesSummaryEventArgs(int created, int updated, int deleted, IReadOnlyDictionary<string, int> byEntityType) : EventArgs
{
    public int Created { get; } = created;

    public int Updated { get; } = updated;

    public int Deleted { get; } = deleted;

    public int Total => Created + Updated + Deleted;

    /// <summary>How many of the changes were of each entity type.</summary>
    public IReadOnlyDictionary<string, int> ByEntityType { get; } = byEntityType;

    /// <summary>A line for a notification, e.g. "5,000 changes from another device".</summary>
    public string Message => string.Create(CultureInfo.InvariantCulture, $"{Total:N0} changes from another device");
}
