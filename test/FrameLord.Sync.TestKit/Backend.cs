namespace FrameLord.Sync.TestKit;

/// <summary>The storage backends every storage-touching test runs on.</summary>
public enum Backend
{
    Sqlite,
    Postgres,
}
