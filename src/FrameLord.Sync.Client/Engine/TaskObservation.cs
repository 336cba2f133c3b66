namespace FrameLord.Sync.Client.Engine;

internal static class TaskObservation
{
    /// <summary>A request left running when a step fails: its own failure is expected and must not go unobserved.</summary>
    public static void Observe(Task task) =>
        task.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
}
