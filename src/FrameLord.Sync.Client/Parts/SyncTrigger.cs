namespace FrameLord.Sync.Client.Parts;

/// <summary>
/// What wakes the sync loop early: a local write (the debounced push) or a request (the app, a live event,
/// a note just opened). The writers signal it; the loop waits on it. It knows nothing of either.
/// </summary>
internal sealed class SyncTrigger
{
    private readonly Lock _lock = new();
    private TaskCompletionSource _wake = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _requested;

    /// <summary>Asks for a sync now.</summary>
    public void Request()
    {
        lock (_lock)
        {
            _requested = true;
            _wake.TrySetResult();
        }
    }

    /// <summary>Wakes the loop to look at its schedule again (a write moved the debounced push).</summary>
    public void Wake()
    {
        lock (_lock)
        {
            _wake.TrySetResult();
        }
    }

    /// <summary>A fresh wake task for the loop's next wait, and whether a sync was requested meanwhile.</summary>
    public (Task Wake, bool Requested) Arm()
    {
        lock (_lock)
        {
            if (_wake.Task.IsCompleted)
            {
                _wake = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            return (_wake.Task, _requested);
        }
    }

    /// <summary>The loop starts the requested sync.</summary>
    public void TakeRequest()
    {
        lock (_lock)
        {
            _requested = false;
        }
    }
}
