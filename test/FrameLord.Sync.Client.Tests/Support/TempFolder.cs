namespace FrameLord.Sync.Client.Tests.Support;

/// <summary>A temporary folder for device databases, deleted with the test.</summary>
public sealed class TempFolder : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("framelord-client-").FullName;

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // Still open somewhere; the system cleans temporary folders.
        }
    }
}
