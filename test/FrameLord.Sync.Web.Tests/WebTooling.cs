using System.Diagnostics;
using System.Text;
using FrameLord.Sync.TestKit;

namespace FrameLord.Sync.Web.Tests;

/// <summary>
/// Node and the npm workspace in web/ (installed with <c>npm ci</c> when missing, so a plain
/// <c>dotnet test</c> works on a fresh clone), and Debian's Chromium for playwright-core. Without
/// Chromium a browser test skips locally but fails when <c>CI=true</c>.
/// </summary>
public static class WebTooling
{
    private static readonly Lazy<string> s_web = new(Prepare);

    /// <summary>The web/ folder with its packages installed.</summary>
    public static string WebFolder => s_web.Value;

    public static string Chromium => Environment.GetEnvironmentVariable("CHROMIUM_PATH") ?? "/usr/bin/chromium";

    public static void RequireChromium()
    {
        if (File.Exists(Chromium))
        {
            return;
        }

        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Assert.Fail($"CI=true but Chromium is missing at {Chromium}: eng/test.sh installs Debian's chromium package.");
        }

        Assert.Skip($"Chromium is missing at {Chromium} (apt-get install chromium, or set CHROMIUM_PATH); browser tests skip locally.");
    }

    private static string Prepare()
    {
        var web = Path.Combine(NodeYjs.RepositoryRoot, "web");
        if (!File.Exists(Path.Combine(web, "node_modules", "playwright-core", "package.json")))
        {
            var install = RunAsync("npm", "ci --no-audit --no-fund", web, new Dictionary<string, string>(), TimeSpan.FromMinutes(5)).GetAwaiter().GetResult();
            if (install.ExitCode != 0)
            {
                throw new InvalidOperationException($"npm ci in web/ failed:\n{install.Output}");
            }
        }

        return web;
    }

    /// <summary>Runs a process to its end (killed after the timeout) and returns its exit code and merged output.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(
        string file, string arguments, string folder, IReadOnlyDictionary<string, string> environment, TimeSpan timeout)
    {
        var info = new ProcessStartInfo(file, arguments)
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        var output = new StringBuilder();
        using var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            Append(output, $"(killed after {timeout})");
            return (-1, Snapshot(output));
        }

        return (process.ExitCode, Snapshot(output));
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }
    }

    private static string Snapshot(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }
}
