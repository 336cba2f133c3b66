using System.Diagnostics;

namespace FrameLord.Sync.TestKit;

/// <summary>
/// The npm yjs package (pinned in eng/yjs) for interop tests: finds the repository, installs the pinned
/// packages with <c>npm ci</c> when they are missing (so a plain <c>dotnet test</c> works on a fresh clone),
/// and starts Node scripts from eng/yjs.
/// </summary>
public static class NodeYjs
{
    private static readonly Lazy<string> s_folder = new(Prepare);

    public static string Folder => s_folder.Value;

    public static string RepositoryRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "FrameLord.Sync.slnx")))
                {
                    return dir.FullName;
                }
            }

            throw new InvalidOperationException("The repository root (FrameLord.Sync.slnx) is not above the test's folder.");
        }
    }

    private static string Prepare()
    {
        var folder = Path.Combine(RepositoryRoot, "eng", "yjs");
        // The newest pinned package stands for the rest: a folder installed before it was added gets npm ci again.
        if (!File.Exists(Path.Combine(folder, "node_modules", "yjs", "package.json"))
            || !File.Exists(Path.Combine(folder, "node_modules", "@hocuspocus", "provider", "package.json")))
        {
            using var npm = Process.Start(new ProcessStartInfo("npm", "ci --no-audit --no-fund") { WorkingDirectory = folder })
                ?? throw new InvalidOperationException("Cannot start npm.");
            if (!npm.WaitForExit(TimeSpan.FromMinutes(5)) || npm.ExitCode != 0)
            {
                throw new InvalidOperationException("npm ci in eng/yjs failed.");
            }
        }

        return folder;
    }

    /// <summary>Starts <c>node script args</c> in eng/yjs; its output lines arrive through <see cref="NodeProcess.NextLineAsync"/>.</summary>
    public static NodeProcess Start(string script, string arguments) => new(script, arguments);

    /// <summary>
    /// The note-client handshake (eng/yjs/note-client.mjs): waits for every client's <c>{"ready":true}</c>,
    /// writes <c>go</c> to <paramref name="waitFile"/>, and returns each client's final content (raw JSON).
    /// </summary>
    public static async Task<List<string>> ReleaseNoteClientsAsync(IReadOnlyList<NodeProcess> nodes, string waitFile)
    {
        foreach (var node in nodes)
        {
            Assert.Equal("""{"ready":true}""", await node.NextLineAsync(TimeSpan.FromMinutes(2)));
        }

        await File.WriteAllTextAsync(waitFile, "go");
        var contents = new List<string>();
        foreach (var node in nodes)
        {
            var line = await node.NextLineAsync(TimeSpan.FromMinutes(2));
            contents.Add(System.Text.Json.JsonDocument.Parse(line).RootElement.GetProperty("content").GetRawText());
        }

        return contents;
    }
}

/// <summary>A running Node script: stdout as a channel of lines, stderr collected for failure messages.</summary>
public sealed class NodeProcess : IDisposable
{
    private readonly Process _process;
    private readonly System.Threading.Channels.Channel<string> _lines = System.Threading.Channels.Channel.CreateUnbounded<string>();
    private readonly System.Text.StringBuilder _errors = new();

    internal NodeProcess(string script, string arguments)
    {
        var info = new ProcessStartInfo("node", $"{script} {arguments}")
        {
            WorkingDirectory = NodeYjs.Folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        _process = new Process { StartInfo = info, EnableRaisingEvents = true };
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                _lines.Writer.TryComplete();
            }
            else
            {
                _lines.Writer.TryWrite(e.Data);
            }
        };
        _process.ErrorDataReceived += (_, e) =>
        {
            lock (_errors)
            {
                _errors.AppendLine(e.Data);
            }
        };
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>The next line of output; throws with the script's stderr when it ends or times out first.</summary>
    public async Task<string> NextLineAsync(TimeSpan timeout)
    {
        try
        {
            using var cts = new CancellationTokenSource(timeout);
            return await _lines.Reader.ReadAsync(cts.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or System.Threading.Channels.ChannelClosedException)
        {
            string errors;
            lock (_errors)
            {
                errors = _errors.ToString();
            }

            throw new InvalidOperationException($"node produced no line ({(e is OperationCanceledException ? "timeout" : "exited")}): {errors}");
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
        }

        _process.Dispose();
    }
}
