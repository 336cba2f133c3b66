namespace FrameLord.Sync.Client.Engine;

/// <summary>
/// The notifications of one pull: held until the pull ends, then raised one by one when there are at
/// most <paramref name="threshold"/> of them (an ordinary sync), or as one summary when there are more
/// (a first sync of thousands of entities must not raise thousands of events).
/// </summary>
internal sealed class RemoteChangeNotifier(int threshold, Action<RemoteChangeEventArgs> single, Action<RemoteChangesSummaryEventArgs> summary)
{
    private readonly List<RemoteChangeEventArgs> _held = [];
    private readonly Dictionary<string, int> _byType = new(StringComparer.Ordinal);
    private int _created, _updated, _deleted;

    public void Add(IEnumerable<RemoteChangeEventArgs> changes)
    {
        foreach (var change in changes)
        {
            if (change.IsArchived)
            {
                _deleted++;
            }
            else if (change.IsNew)
            {
                _created++;
            }
            else
            {
                _updated++;
            }

            _byType[change.EntityType] = _byType.GetValueOrDefault(change.EntityType) + 1;
            if (_held.Count <= threshold)
            {
                _held.Add(change);
            }
        }
    }

    /// <summary>Raises what was gathered and starts over.</summary>
    public void Flush()
    {
        if (_created + _updated + _deleted > threshold)
        {
            summary(new RemoteChangesSummaryEventArgs(_created, _updated, _deleted, new Dictionary<string, int>(_byType, StringComparer.Ordinal)));
        }
        else
        {
            foreach (var change in _held)
            {
                single(change);
            }
        }

        _held.Clear();
        _byType.Clear();
        _created = _updated = _deleted = 0;
    }
}
