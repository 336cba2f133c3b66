using System.Reflection;
using FrameLord.Sync.Server.Storage;

namespace FrameLord.Sync.Server.Tests.Observability;

/// <summary>
/// A store double that forwards every call to <see cref="Target"/>, so a test can start the server on
/// a working store and then point it at a dead one (a closed port, a file that is not a database).
/// </summary>
public class SwitchableStore : DispatchProxy
{
    public ISyncStore Target { get; set; } = null!;

    public static (ISyncStore Store, SwitchableStore Switch) Over(ISyncStore target)
    {
        var store = Create<ISyncStore, SwitchableStore>();
        var proxy = (SwitchableStore)(object)store;
        proxy.Target = target;
        return (store, proxy);
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        try
        {
            return targetMethod!.Invoke(Target, args);
        }
        catch (TargetInvocationException wrapped) when (wrapped.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(wrapped.InnerException);
            throw;
        }
    }
}
