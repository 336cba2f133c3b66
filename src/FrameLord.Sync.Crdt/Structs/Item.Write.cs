using FrameLord.Sync.Crdt.Encoding;
using FrameLord.Sync.Crdt.Types;

namespace FrameLord.Sync.Crdt.Structs;

internal sealed partial class Item
{
    /// <summary>Writes the item in V1 starting <paramref name="offset"/> clocks in (yjs <c>Item.write</c>).</summary>
    public void Write(ByteWriter writer, long offset)
    {
        var hasOrigin = offset > 0 || HasOrigin;
        var originClient = offset > 0 ? Client : OriginClient;
        var originClock = offset > 0 ? Clock + offset - 1 : OriginClock;
        var info = (Content.Ref & 0x1F)
            | (hasOrigin ? 0x80 : 0)
            | (HasRightOrigin ? 0x40 : 0)
            | (ParentSub is not null ? 0x20 : 0);
        writer.WriteByte((byte)info);
        if (hasOrigin)
        {
            writer.WriteVarUint(originClient);
            writer.WriteVarUint(originClock);
        }

        if (HasRightOrigin)
        {
            writer.WriteVarUint(RightOriginClient);
            writer.WriteVarUint(RightOriginClock);
        }

        if (!hasOrigin && !HasRightOrigin)
        {
            var parent = Parent is UnresolvableParent unresolvable ? unresolvable.Original : Parent;
            switch (parent)
            {
                case AbstractType { TypeItem: null } root:
                    writer.WriteVarUint(1UL);
                    writer.WriteString(root.RootName ?? throw new InvalidOperationException("A root type without a name."));
                    break;
                case AbstractType nested:
                    writer.WriteVarUint(0UL);
                    writer.WriteVarUint(nested.TypeItem!.Client);
                    writer.WriteVarUint(nested.TypeItem.Clock);
                    break;
                case string rootName:
                    writer.WriteVarUint(1UL);
                    writer.WriteString(rootName);
                    break;
                case StructId id:
                    writer.WriteVarUint(0UL);
                    writer.WriteVarUint(id.Client);
                    writer.WriteVarUint(id.Clock);
                    break;
                default:
                    throw new InvalidOperationException("An item without parent information cannot be written.");
            }

            if (ParentSub is not null)
            {
                writer.WriteString(ParentSub);
            }
        }

        if (Content is ContentDeleted)
        {
            writer.WriteVarUint(Length - offset);
        }
        else
        {
            Content.Write(writer, offset);
        }
    }
}
