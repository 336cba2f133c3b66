using System.Diagnostics;
using FrameLord.Sync.TestKit;

namespace FrameLord.Sync.Client.Benchmarks;

/// <summary>This benchmark program started again in <c>serve</c> mode: the real server in a child process.</summary>
public sealed class ServerProcess : IDisposable
{
    private readonly Process _process;

    private ServerProcess(Process process, Uri address)
    {
        _process = process;
        Address = address;
    }

    public Uri Address { get; }

    public static ServerProcess Start(Backend backend)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add(typeof(ServerProcess).Assembly.Location);
        start.ArgumentList.Add("serve");
        start.ArgumentList.Add(backend.ToString());
        var process = Process.Start(start)!;
        while (process.StandardOutput.ReadLine() is { } line)
        {
            if (line.StartsWith("URL ", StringComparison.Ordinal))
            {
                return new ServerProcess(process, new Uri(line[4..]));
            }
        }

        throw new InvalidOperationException("The server process ended before it listened.");
    }

    /// <summary>The child's side: start the server, print its address, run until standard input closes.</summary>
    public static async Task ServeAsync(Backend backend)
    {
        await using var devices = await Devices.StartAsync(backend);
        Console.WriteLine("URL " + devices.Address);
        await Console.In.ReadToEndAsync();
    }

    public void Dispose()
    {
        _process.StandardInput.Close();
        if (!_process.WaitForExit(10_000))
        {
            _process.Kill();
        }

        _process.Dispose();
    }
}
