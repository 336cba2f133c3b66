namespace FrameLord.Sync.Client.Parts;

/// <summary>
/// The client's public events in one place: the parts raise them here with the client as the sender, and the
/// client's events add and remove handlers here, so no part needs to know the client's type.
/// </summary>
internal sealed class SyncEvents(object sender)
{
    public event EventHandler<SyncStateEventArgs>? StatusChanged;

    public event EventHandler<SyncStateEventArgs>? StaleWarning;

    public event EventHandler<SyncProgressEventArgs>? ProgressChanged;

    public event EventHandler<RemoteChangeEventArgs>? EntityChangedRemotely;

    public event EventHandler<RemoteChangesSummaryEventArgs>? RemoteChangesSummarized;

    public event EventHandler<ConflictEventArgs>? ConflictDetected;

    public event EventHandler<ChangeRejectedEventArgs>? ChangeRejected;

    public event EventHandler<DocumentSyncFailedEventArgs>? DocumentSyncFailed;

    public event EventHandler<BandwidthBudgetEventArgs>? BandwidthBudgetExceeded;

    public void OnStatusChanged(SyncStateEventArgs e) => StatusChanged?.Invoke(sender, e);

    public void OnStaleWarning(SyncStateEventArgs e) => StaleWarning?.Invoke(sender, e);

    public void OnProgress(SyncProgressEventArgs e) => ProgressChanged?.Invoke(sender, e);

    public void OnEntityChangedRemotely(RemoteChangeEventArgs e) => EntityChangedRemotely?.Invoke(sender, e);

    public void OnRemoteChangesSummarized(RemoteChangesSummaryEventArgs e) => RemoteChangesSummarized?.Invoke(sender, e);

    public void OnConflictDetected(ConflictEventArgs e) => ConflictDetected?.Invoke(sender, e);

    public void OnChangeRejected(ChangeRejectedEventArgs e) => ChangeRejected?.Invoke(sender, e);

    public void OnDocumentSyncFailed(DocumentSyncFailedEventArgs e) => DocumentSyncFailed?.Invoke(sender, e);

    public void OnBandwidthBudgetExceeded(BandwidthBudgetEventArgs e) => BandwidthBudgetExceeded?.Invoke(sender, e);
}
