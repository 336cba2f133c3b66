using System.Diagnostics;
using System.Reflection;
using System.Runtime.ExceptionServices;
using FrameLord.Sync.Server.Storage;

namespace FrameLord.Sync.Server.Observability;

/// <summary>
/// Times every asynchronous operation of the store and of its write sessions into
/// <c>framelord.sync.store.operation.duration</c> (tags: the store, the method name). A proxy rather
/// than a hand-written decorator so an operation added to <see cref="ISyncStore"/> is timed without an
/// edit here. While nothing listens to the histogram a call is forwarded untimed.
/// </summary>
internal class TimedStoreProxy : DispatchProxy
{
    private object _target = null!;
    private SyncMetrics _metrics = null!;
    private string _store = "";
    private string _prefix = "";

    /// <summary>The store, timed; the store itself when it is null.</summary>
    public static ISyncStore Wrap(ISyncStore store, SyncMetrics metrics)
    {
        var proxy = Create<ISyncStore, TimedStoreProxy>();
        ((TimedStoreProxy)(object)proxy).Init(store, metrics, StoreName(store.ProviderName), "");
        return proxy;
    }

    /// <summary>The store behind the timing, for the few parts that need the concrete store (the PostgreSQL live relay).</summary>
    public static ISyncStore Unwrap(ISyncStore store) => store is TimedStoreProxy timed ? (ISyncStore)timed._target : store;

    private static string StoreName(string provider) => provider == "postgres" ? "postgresql" : provider;

    private void Init(object target, SyncMetrics metrics, string store, string prefix)
    {
        _target = target;
        _metrics = metrics;
        _store = store;
        _prefix = prefix;
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        var method = targetMethod!;
        if (!_metrics.StoreTimingEnabled || !typeof(Task).IsAssignableFrom(method.ReturnType))
        {
            return Forward(method, args);
        }

        var started = Stopwatch.GetTimestamp();
        var task = (Task)Forward(method, args)!;
        var operation = _prefix + method.Name;
        if (method.ReturnType == typeof(Task<IWriteSession>))
        {
            return WrapSessionAsync((Task<IWriteSession>)task, operation, started);
        }

        task.ContinueWith(
            static (_, state) =>
            {
                var (self, operation, started) = ((TimedStoreProxy, string, long))state!;
                self._metrics.StoreOperation(self._store, operation, Stopwatch.GetElapsedTime(started));
            },
            (this, operation, started), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return task;
    }

    private async Task<IWriteSession> WrapSessionAsync(Task<IWriteSession> opening, string operation, long started)
    {
        try
        {
            var session = await opening;
            var proxy = Create<IWriteSession, TimedStoreProxy>();
            ((TimedStoreProxy)(object)proxy).Init(session, _metrics, _store, "WriteSession.");
            return proxy;
        }
        finally
        {
            _metrics.StoreOperation(_store, operation, Stopwatch.GetElapsedTime(started));
        }
    }

    private object? Forward(MethodInfo method, object?[]? args)
    {
        try
        {
            return method.Invoke(_target, args);
        }
        catch (TargetInvocationException wrapped) when (wrapped.InnerException is not null)
        {
            ExceptionDispatchInfo.Throw(wrapped.InnerException);
            throw;
        }
    }
}
