using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.ExceptionServices;
using FrameLord.Sync.Server.Storage;

namespace FrameLord.Sync.Server.Tests.Live;

/// <summary>A store that counts the calls made to the store it wraps, by method name: work counted, not timed.</summary>
public class CountingStore : DispatchProxy
{
    private ISyncStore _inner = null!;

    public ConcurrentDictionary<string, int> Calls { get; } = new(StringComparer.Ordinal);

    public static (ISyncStore Store, CountingStore Counts) Wrap(ISyncStore inner)
    {
        var proxy = Create<ISyncStore, CountingStore>();
        var counts = (CountingStore)(object)proxy;
        counts._inner = inner;
        return (proxy, counts);
    }

    public int this[string method] => Calls.GetValueOrDefault(method);

    /// <summary>Every call so far, as "Method=count" sorted, for assertion messages.</summary>
    public override string ToString() => string.Join(", ", Calls.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key}={c.Value}"));

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        Calls.AddOrUpdate(targetMethod!.Name, 1, (_, n) => n + 1);
        try
        {
            return targetMethod.Invoke(_inner, args);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            ExceptionDispatchInfo.Throw(e.InnerException);
            throw;
        }
    }
}
