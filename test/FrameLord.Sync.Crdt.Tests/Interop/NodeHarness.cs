using System.Diagnostics;
using System.Text.Json.Nodes;

[assembly: AssemblyFixture(typeof(FrameLord.Sync.Crdt.Tests.Interop.NodeHarness))]

namespace FrameLord.Sync.Crdt.Tests.Interop;

/// <summary>
/// One long-lived Node process running eng/yjs/harness.mjs (npm yjs 13.6.33), driven with JSON lines over
/// stdin/stdout. Runs <c>npm ci</c> first when eng/yjs/node_modules is missing, so a fresh clone works.
/// </summary>
public sealed class NodeHarness : IDisposable
{
    private readonly Lock _lock = new();
    private readonly Process _process;

    public NodeHarness()
    {
        var dir = RepoPaths.YjsHarnessDir;
        if (!File.Exists(Path.Combine(dir, "node_modules", "yjs", "package.json")))
        {
            Run("npm", "ci --no-audit --no-fund", dir, TimeSpan.FromMinutes(5));
        }

        var psi = new ProcessStartInfo("node", "harness.mjs")
        {
            WorkingDirectory = dir,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        _process = Process.Start(psi) ?? throw new InvalidOperationException("Cannot start node.");
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginErrorReadLine();
        var pong = Call(new JsonObject { ["cmd"] = "ping" });
        if (pong?.GetValue<string>() != "pong")
        {
            throw new InvalidOperationException("The yjs harness did not answer.");
        }
    }

    private static void Run(string file, string args, string dir, TimeSpan timeout)
    {
        using var p = Process.Start(new ProcessStartInfo(file, args)
        {
            WorkingDirectory = dir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        }) ?? throw new InvalidOperationException($"Cannot start {file}.");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeout))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {args} timed out.");
        }

        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {args} failed: {stdout.Result}{stderr.Result}");
        }
    }

    /// <summary>Sends one command and returns its result; throws with the harness's error message on failure.</summary>
    public JsonNode? Call(JsonObject command)
    {
        lock (_lock)
        {
            _process.StandardInput.WriteLine(command.ToJsonString());
            _process.StandardInput.Flush();
            var line = _process.StandardOutput.ReadLine() ?? throw new InvalidOperationException("The yjs harness exited.");
            var response = JsonNode.Parse(line)!.AsObject();
            if (!response["ok"]!.GetValue<bool>())
            {
                throw new YjsHarnessException(response["error"]?.GetValue<string>() ?? "unknown error");
            }

            return response["result"];
        }
    }

    public void Dispose()
    {
        try
        {
            _process.StandardInput.Close();
            if (!_process.WaitForExit(5000))
            {
                _process.Kill();
            }
        }
        finally
        {
            _process.Dispose();
        }
    }
}

public sealed class YjsHarnessException(string message) : Exception(message);
