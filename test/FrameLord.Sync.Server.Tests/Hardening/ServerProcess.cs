using System.Diagnostics;
using System.Text.RegularExpressions;
using FrameLord.Sync.TestKit;

namespace FrameLord.Sync.Server.Tests.Hardening;

/// <summary>
/// The built server started as a published server is: <c>dotnet FrameLord.Sync.Server.Host.dll</c>, from a
/// working directory of the test's choosing, on a port it picks itself (read from its log).
/// </summary>
internal sealed partial class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _output = [];
    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ServerProcess(string workingDirectory, IEnumerable<string> args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(ServerDll);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        // Whatever the test runner's environment says, the server decides its own settings.
        info.Environment.Remove("ASPNETCORE_ENVIRONMENT");
        info.Environment.Remove("DOTNET_ENVIRONMENT");
        _process = new Process { StartInfo = info };
        _process.OutputDataReceived += (_, e) => Record(e.Data);
        _process.ErrorDataReceived += (_, e) => Record(e.Data);
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>The server executable's dll as built in its own project folder (same configuration as these tests).</summary>
    public static string ServerDll
    {
        get
        {
            var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;
            var dll = Path.Combine(NodeYjs.RepositoryRoot, "src", "FrameLord.Sync.Server.Host", "bin", configuration, "net10.0", "FrameLord.Sync.Server.Host.dll");
            return File.Exists(dll) ? dll : throw new InvalidOperationException($"The server is not built at {dll}.");
        }
    }

    public IReadOnlyList<string> Output
    {
        get
        {
            lock (_output)
            {
                return [.. _output];
            }
        }
    }

    public static async Task<(ServerProcess Process, Uri Address)> StartAsync(string workingDirectory, params string[] args)
    {
        var server = new ServerProcess(workingDirectory, ["--urls", "http://127.0.0.1:0", .. args]);
        var started = await Task.WhenAny(server._listening.Task, Task.Delay(TimeSpan.FromMinutes(2)));
        if (started != server._listening.Task)
        {
            await server.DisposeAsync();
            throw new InvalidOperationException("The server did not start: " + string.Join('\n', server.Output));
        }

        return (server, await server._listening.Task);
    }

    private void Record(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.Add(line);
        }

        if (ListeningLine().Match(line) is { Success: true } match)
        {
            _listening.TrySetResult(new Uri(match.Groups[1].Value));
        }
    }

    [GeneratedRegex(@"Now listening on: (http://\S+)")]
    private static partial Regex ListeningLine();

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
        _process.Dispose();
    }
}
