using System.Security.Cryptography;
using System.Text;

namespace FrameLord.Sync.Cli.Simulation;

/// <summary>
/// The simulation's event trace, hashed as it is written: two runs with the same options must produce
/// the same hash. Events carry virtual time only, never wall-clock time or file paths.
/// </summary>
internal sealed class TraceLog(TimeProvider time, TextWriter? sink) : IDisposable
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    public long Events { get; private set; }

    public void Write(string line)
    {
        var text = $"{time.GetUtcNow():yyyy-MM-ddTHH:mm} {line}";
        _hash.AppendData(Encoding.UTF8.GetBytes(text + "\n"));
        sink?.WriteLine(text);
        Events++;
    }

    /// <summary>The hash of everything written so far, as 16 hex digits.</summary>
    public string Hash() => Convert.ToHexStringLower(_hash.GetCurrentHash())[..16];

    public void Dispose() => _hash.Dispose();
}
