namespace FrameLord.Sync.Client.Parts;

/// <summary>
/// One sync exchange at a time (a step, a pull or push alone, one note's sync): while it runs the status says
/// syncing, and its failure becomes the status's error.
/// </summary>
internal sealed class SyncGate(SyncStatusTracker status)
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    public async Task<T> RunAsync<T>(Func<Task<T>> work, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            status.SetSyncing(true);
            try
            {
                return await work();
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                status.RecordFailure(e as SyncException ?? new SyncException($"Sync failed: {e.Message}", e));
                throw;
            }
            finally
            {
                status.SetSyncing(false);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Runs <paramref name="close"/> once no exchange runs (the client is being disposed).</summary>
    public async ValueTask CloseAsync(Func<ValueTask> close)
    {
        await _gate.WaitAsync();
        try
        {
            await close();
        }
        finally
        {
            _gate.Release();
        }
    }
}
