using System.Diagnostics;

namespace FrameLord.Sync.Server.Observability;

/// <summary>
/// The server's one <see cref="ActivitySource"/> and the name of its one meter (<see cref="SyncMetrics"/>),
/// both <c>FrameLord.Sync.Server</c>. Without a listener (no exporter configured) starting an activity
/// returns null and costs a field read, so the engine calls these unconditionally.
/// </summary>
internal static class SyncTelemetry
{
    public const string Name = "FrameLord.Sync.Server";

    public static readonly ActivitySource ActivitySource = new(Name, typeof(SyncTelemetry).Assembly.GetName().Version?.ToString());

    /// <summary>Span names: one per operation of the engine.</summary>
    public const string Push = "sync.push";
    public const string Pull = "sync.pull";
    public const string DocumentSync = "document.sync";
    public const string Compaction = "document.compact";

    /// <summary>
    /// Starts an operation's span, tagged with the user and device (ids only, never content), and names the
    /// device on the request's log scope when the token did not carry one.
    /// </summary>
    public static Activity? Start(string name, string userId, string? deviceId = null)
    {
        if (deviceId is not null)
        {
            RequestLogScope.Current?.NoteDevice(deviceId);
        }

        var activity = ActivitySource.StartActivity(name, ActivityKind.Internal);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("enduser.id", userId);
            if (deviceId is not null)
            {
                activity.SetTag("framelord.device_id", deviceId);
            }
        }

        return activity;
    }

    /// <summary>Marks a span failed with the exception's type (its message may quote input, so it is left out).</summary>
    public static void Fail(Activity? activity, Exception exception)
    {
        if (activity is null)
        {
            return;
        }

        activity.SetStatus(ActivityStatusCode.Error, exception.GetType().Name);
        activity.SetTag("error.type", exception is Engine.ApiException api ? api.Code : exception.GetType().FullName);
    }
}
