using System.Collections;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace FrameLord.Sync.Server.Observability;

/// <summary>
/// The host's logger factory, with the framework's lines cleaned of access tokens. The y-websocket route
/// takes its token in the query (a browser sets no header on a socket), and ASP.NET Core's request lines
/// (<c>Request starting … ?token=…</c>, at Information) quote the whole URL: with request logging turned up,
/// every socket would write its token. Only <c>Microsoft.AspNetCore.*</c> categories are wrapped, and a
/// line is rewritten only when it holds <c>token=</c>.
/// </summary>
internal sealed partial class TokenRedactingLoggerFactory(ILoggerFactory inner) : ILoggerFactory
{
    public static void Register(IServiceCollection services) =>
        services.Replace(ServiceDescriptor.Singleton<ILoggerFactory>(sp => new TokenRedactingLoggerFactory(new LoggerFactory(
            sp.GetServices<ILoggerProvider>(),
            sp.GetRequiredService<IOptionsMonitor<LoggerFilterOptions>>(),
            sp.GetService<IOptions<LoggerFactoryOptions>>(),
            sp.GetService<IExternalScopeProvider>()))));

    public ILogger CreateLogger(string categoryName)
    {
        var logger = inner.CreateLogger(categoryName);
        return categoryName.StartsWith("Microsoft.AspNetCore.", StringComparison.Ordinal) ? new RedactingLogger(logger) : logger;
    }

    public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

    public void Dispose() => inner.Dispose();

    internal static string Redact(string text) => TokenValue().Replace(text, "token=[redacted]");

    [GeneratedRegex("token=[^&\\s\"']*", RegexOptions.IgnoreCase)]
    private static partial Regex TokenValue();

    private sealed class RedactingLogger(ILogger inner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!inner.IsEnabled(logLevel))
            {
                return;
            }

            var message = formatter(state, exception);
            if (!message.Contains("token=", StringComparison.OrdinalIgnoreCase))
            {
                inner.Log(logLevel, eventId, state, exception, formatter);
                return;
            }

            var pairs = state is IEnumerable<KeyValuePair<string, object?>> fields
                ? fields.Select(f => f.Value is string text ? new KeyValuePair<string, object?>(f.Key, Redact(text)) : f).ToList()
                : [];
            inner.Log(logLevel, eventId, new RedactedState(Redact(message), pairs), exception, static (s, _) => s.Message);
        }
    }

    private sealed class RedactedState(string message, IReadOnlyList<KeyValuePair<string, object?>> fields) : IReadOnlyList<KeyValuePair<string, object?>>
    {
        public string Message => message;

        public int Count => fields.Count;

        public KeyValuePair<string, object?> this[int index] => fields[index];

        public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => fields.GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        public override string ToString() => message;
    }
}
