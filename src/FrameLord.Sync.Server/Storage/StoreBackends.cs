namespace FrameLord.Sync.Server.Storage;

/// <summary>Picks the backend <c>Storage:Provider</c> names among those the host registered.</summary>
public static class StoreBackends
{
    public static ISyncStoreBackend Select(IEnumerable<ISyncStoreBackend> backends, string provider)
    {
        var known = backends.ToList();
        return known.FirstOrDefault(b => b.Accepts(provider))
            ?? throw new InvalidOperationException(known.Count == 0
                ? "No storage backend is registered; the host adds them (AddSqliteSyncStore, AddPostgresSyncStore)."
                : $"Storage:Provider must be {string.Join(" or ", known.Select(b => b.Name))}, not '{provider}'.");
    }
}
