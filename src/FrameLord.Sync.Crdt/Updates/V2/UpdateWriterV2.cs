using FrameLord.Sync.Crdt.Encoding;
using FrameLord.Sync.Crdt.Structs;
using FrameLord.Sync.Crdt.Types;

namespace FrameLord.Sync.Crdt.Updates.V2;

/// <summary>
/// Writes a decoded update in the Yjs V2 format (yjs <c>UpdateEncoderV2</c>): ids, infos, strings, parent infos,
/// type refs and lengths go to their own run-length coded columns, everything else to the rest. Structs are
/// written as they are, one section per client run (yjs <c>convertUpdateFormat</c>), so a V1 update written
/// here gives the bytes yjs gives for the same update.
/// </summary>
internal sealed class UpdateWriterV2 : IDisposable
{
    private readonly IntDiffOptRleColumn _keyClock = new();
    private readonly UintOptRleColumn _client = new();
    private readonly IntDiffOptRleColumn _leftClock = new();
    private readonly IntDiffOptRleColumn _rightClock = new();
    private readonly ByteRleColumn _info = new();
    private readonly StringColumn _string = new();
    private readonly ByteRleColumn _parentInfo = new();
    private readonly UintOptRleColumn _typeRef = new();
    private readonly UintOptRleColumn _len = new();
    private readonly ByteWriter _rest = new(1024);
    private long _nextKey;

    public static byte[] Write(DecodedUpdate update)
    {
        using var writer = new UpdateWriterV2();
        var sections = 0;
        foreach (var section in update.Sections)
        {
            sections += section.Refs.Count > 0 ? 1 : 0;
        }

        writer._rest.WriteVarUint((ulong)sections);
        foreach (var section in update.Sections)
        {
            if (section.Refs.Count == 0)
            {
                continue;
            }

            writer._rest.WriteVarUint((ulong)section.Refs.Count);
            writer._client.Write((long)section.Client);
            writer._rest.WriteVarUint(section.Refs[0].Clock);
            foreach (var s in section.Refs)
            {
                writer.WriteStruct(s, 0);
            }
        }

        writer.WriteDeleteSet(update.DeleteSet);
        return writer.ToArray();
    }

    /// <summary>
    /// A document's structs the target state vector lacks and its whole delete set (yjs <c>writeStateAsUpdate</c>
    /// with <c>UpdateEncoderV2</c>). Written from the integrated items, whose info byte keeps the parent-sub bit
    /// that a decoded item with an origin no longer knows.
    /// </summary>
    public static byte[] WriteDocument(StructStore store, Dictionary<ulong, long> target)
    {
        using var writer = new UpdateWriterV2();
        var clients = new List<(ulong Client, long Clock)>();
        foreach (var (client, list) in store.Clients)
        {
            var from = target.TryGetValue(client, out var clock) ? clock : 0;
            if (list.State > from)
            {
                clients.Add((client, from));
            }
        }

        writer._rest.WriteVarUint((ulong)clients.Count);
        clients.Sort(static (a, b) => b.Client.CompareTo(a.Client));
        foreach (var (client, from) in clients)
        {
            var structs = store.Clients[client];
            var clock = Math.Max(from, structs[0].Clock);
            var start = structs.FindIndex(clock);
            writer._rest.WriteVarUint((ulong)(structs.Count - start));
            writer._client.Write((long)client);
            writer._rest.WriteVarUint(clock);
            writer.WriteStruct(structs[start], clock - structs[start].Clock);
            for (var i = start + 1; i < structs.Count; i++)
            {
                writer.WriteStruct(structs[i], 0);
            }
        }

        writer.WriteDeleteSet(DeleteSet.FromStore(store));
        return writer.ToArray();
    }

    private void WriteDeleteSet(DeleteSet ds) => DeleteSetV2.Write(_rest, ds);

    private void WriteStruct(AbstractStruct s, long offset)
    {
        switch (s)
        {
            case GcStruct:
                _info.Write(0);
                _len.Write(s.Length - offset);
                return;
            case SkipStruct:
                _info.Write(10);
                _rest.WriteVarUint(s.Length - offset);
                return;
        }

        var item = (Item)s;
        var hasOrigin = offset > 0 || item.HasOrigin;
        var info = (item.Content.Ref & 0x1F)
            | (hasOrigin ? 0x80 : 0)
            | (item.HasRightOrigin ? 0x40 : 0)
            | (item.ParentSub is not null ? 0x20 : 0);
        _info.Write((byte)info);
        if (hasOrigin)
        {
            _client.Write((long)(offset > 0 ? item.Client : item.OriginClient));
            _leftClock.Write(offset > 0 ? item.Clock + offset - 1 : item.OriginClock);
        }

        if (item.HasRightOrigin)
        {
            _client.Write((long)item.RightOriginClient);
            _rightClock.Write(item.RightOriginClock);
        }

        if (!hasOrigin && !item.HasRightOrigin)
        {
            WriteParent(item.Parent is UnresolvableParent unresolvable ? unresolvable.Original : item.Parent);
            if (item.ParentSub is not null)
            {
                _string.Write(item.ParentSub);
            }
        }

        WriteContent(item, offset);
    }

    private void WriteParent(object? parent)
    {
        switch (parent)
        {
            case AbstractType { TypeItem: null } root:
                _parentInfo.Write(1);
                _string.Write(root.RootName ?? throw new InvalidOperationException("A root type without a name."));
                break;
            case AbstractType nested:
                _parentInfo.Write(0);
                _client.Write((long)nested.TypeItem!.Client);
                _leftClock.Write(nested.TypeItem.Clock);
                break;
            case string rootName:
                _parentInfo.Write(1);
                _string.Write(rootName);
                break;
            case StructId id:
                _parentInfo.Write(0);
                _client.Write((long)id.Client);
                _leftClock.Write(id.Clock);
                break;
            default:
                throw new InvalidOperationException("An item without parent information cannot be written.");
        }
    }

    private void WriteContent(Item item, long offset)
    {
        switch (item.Content)
        {
            case ContentDeleted:
                _len.Write(item.Length - offset);
                break;
            case ContentJson json:
                _len.Write(json.Values.Count - offset);
                for (var i = (int)offset; i < json.Values.Count; i++)
                {
                    _string.Write(JsonText.Stringify(json.Values[i]));
                }

                break;
            case ContentBinary binary:
                _rest.WriteVarBytes(binary.Bytes);
                break;
            case ContentString text:
                _string.Write(offset == 0 ? text.ToString() : text.Span[(int)offset..].ToString());
                break;
            case ContentEmbed embed:
                AnyCodec.Write(_rest, embed.Value);
                break;
            case ContentFormat format:
                WriteKey(format.Key);
                AnyCodec.Write(_rest, format.Value);
                break;
            case ContentType type:
                _typeRef.Write(type.Type.TypeRef);
                if (type.Type is YXmlElement element)
                {
                    WriteKey(element.NodeName);
                }
                else if (type.Type is YXmlHook hook)
                {
                    WriteKey(hook.HookName);
                }

                break;
            case ContentAny any:
                _len.Write(any.Values.Count - offset);
                for (var i = (int)offset; i < any.Values.Count; i++)
                {
                    AnyCodec.Write(_rest, any.Values[i]);
                }

                break;
            case ContentDoc doc:
                _string.Write(doc.Guid);
                AnyCodec.Write(_rest, doc.Options);
                break;
            default:
                throw new InvalidOperationException($"Unknown content {item.Content.GetType().Name}.");
        }
    }

    /// <summary>yjs writes every key as new (its key cache is disabled), so each gets the next key clock.</summary>
    private void WriteKey(string key)
    {
        _keyClock.Write(_nextKey++);
        _string.Write(key);
    }

    private byte[] ToArray()
    {
        using var output = new ByteWriter(_rest.Length + 256);
        output.WriteVarUint(0UL);
        _keyClock.Flush();
        output.WriteVarBytes(_keyClock.Output.WrittenSpan);
        _client.Flush();
        output.WriteVarBytes(_client.Output.WrittenSpan);
        _leftClock.Flush();
        output.WriteVarBytes(_leftClock.Output.WrittenSpan);
        _rightClock.Flush();
        output.WriteVarBytes(_rightClock.Output.WrittenSpan);
        output.WriteVarBytes(_info.Output.WrittenSpan);
        _string.WriteTo(output);
        output.WriteVarBytes(_parentInfo.Output.WrittenSpan);
        _typeRef.Flush();
        output.WriteVarBytes(_typeRef.Output.WrittenSpan);
        _len.Flush();
        output.WriteVarBytes(_len.Output.WrittenSpan);
        output.WriteBytes(_rest.WrittenSpan);
        return output.ToArray();
    }

    public void Dispose()
    {
        _keyClock.Dispose();
        _client.Dispose();
        _leftClock.Dispose();
        _rightClock.Dispose();
        _info.Dispose();
        _string.Dispose();
        _parentInfo.Dispose();
        _typeRef.Dispose();
        _len.Dispose();
        _rest.Dispose();
    }
}
