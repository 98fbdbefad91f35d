using System;
using System.Globalization;
using System.IO;
using System.Text;
using NNLinearity.Families;
using NNLinearity.Layers;
using NNLinearity.Links;

namespace NNLinearity.Glm;

/// <summary>Where a pass takes each row's linear predictor from.</summary>
internal enum EtaKind : byte
{
    /// <summary>eta = g(the family's starting mean of y and the weight): R's mustart.</summary>
    FamilyStart = 0,

    /// <summary>eta = g(mu) with mu the fitted mean of the full model at Beta: R's start of the intercept-only refit.</summary>
    FittedMeans = 1,

    /// <summary>eta = (design) Beta + offset.</summary>
    Linear = 2,
}

/// <summary>A linear predictor specification: its kind and, for the last two kinds, the coefficients.</summary>
internal readonly record struct EtaSpec(EtaKind Kind, double[]? Beta);

/// <summary>What a null deviance pass adds: nothing, the deviance at one constant mean, or at g^-1(offset).</summary>
internal enum NullMode : byte
{
    None = 0,
    ConstantMean = 1,
    OffsetMean = 2,
}

/// <summary>
/// One pass of a streamed or distributed IRLS fit, as the driver sends it to whoever holds a partition of the data:
/// the model (family, link, intercept, columns), the coefficients to evaluate and what to sum. A worker answers with
/// <see cref="GlmPartitionPass.Evaluate"/>; the request travels as the bytes of <see cref="ToBytes"/>.
/// </summary>
/// <remarks>Thread safety: immutable; one request may be evaluated by any number of threads and workers at once.</remarks>
public sealed class GlmPassRequest
{
    private const byte FormatVersion = 1;

    internal GlmPassRequest(GlmFamily family, ILinkFunction link, int columns, bool intercept, int pass, EtaSpec current, EtaSpec? previous,
        bool interceptOnly, bool withGram, bool pearson, bool aic, NullMode nullMode, double nullMean)
    {
        Family = family;
        Link = link;
        Columns = columns;
        Intercept = intercept;
        Pass = pass;
        Current = current;
        Previous = previous;
        InterceptOnly = interceptOnly;
        WithGram = withGram;
        Pearson = pearson;
        Aic = aic;
        NullMode = nullMode;
        NullMean = nullMean;
    }

    /// <summary>The response family.</summary>
    public GlmFamily Family { get; }

    /// <summary>The link.</summary>
    public ILinkFunction Link { get; }

    /// <summary>Number of predictor columns every partition holds.</summary>
    public int Columns { get; }

    /// <summary>True when the model has an intercept column.</summary>
    public bool Intercept { get; }

    /// <summary>The pass's number in its fit, from 1.</summary>
    public int Pass { get; }

    /// <summary>True when the pass sums the weighted Gram matrix [X z]^T W [X z] for the next IRLS step.</summary>
    public bool WithGram { get; }

    /// <summary>Number of coefficients of the design the pass works on (1 for the null model's refit).</summary>
    public int Coefficients => InterceptOnly ? 1 : Columns + (Intercept ? 1 : 0);

    internal EtaSpec Current { get; }

    internal EtaSpec? Previous { get; }

    internal bool InterceptOnly { get; }

    internal bool Pearson { get; }

    internal bool Aic { get; }

    internal NullMode NullMode { get; }

    internal double NullMean { get; }

    /// <summary>The request as bytes for a worker in another process (the family and link by their R names).</summary>
    /// <returns>The serialised request.</returns>
    /// <exception cref="NotSupportedException">The family or link has no name a worker can rebuild it from (a quasi family, or a link of the caller's own type).</exception>
    public byte[] ToBytes()
    {
        (string familyName, double? familyParameter) = ModelFile.DescribeFamily(Family);
        (string linkName, double? linkParameter) = ModelFile.DescribeLink(Link);
        using var stream = new MemoryStream();
        using (var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(FormatVersion);
            w.Write(familyName);
            WriteOptional(w, familyParameter);
            w.Write(linkName);
            WriteOptional(w, linkParameter);
            w.Write(Columns);
            w.Write(Intercept);
            w.Write(Pass);
            WriteSpec(w, Current);
            w.Write(Previous.HasValue);
            if (Previous is EtaSpec previous) WriteSpec(w, previous);
            w.Write(InterceptOnly);
            w.Write(WithGram);
            w.Write(Pearson);
            w.Write(Aic);
            w.Write((byte)NullMode);
            w.Write(NullMean);
        }

        return stream.ToArray();
    }

    /// <summary>Rebuilds a request from <see cref="ToBytes"/>.</summary>
    /// <param name="bytes">The serialised request.</param>
    /// <returns>The request.</returns>
    /// <exception cref="InvalidDataException">The bytes are not a request of this format.</exception>
    public static GlmPassRequest FromBytes(byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        try
        {
            using var r = new BinaryReader(new MemoryStream(bytes, writable: false), Encoding.UTF8);
            byte version = r.ReadByte();
            if (version != FormatVersion) throw new InvalidDataException($"The request's format version is {version}; this library reads version {FormatVersion}.");
            GlmFamily family = ModelFile.FamilyFromName(r.ReadString(), ReadOptional(r));
            ILinkFunction link = ModelFile.LinkFromName(r.ReadString(), ReadOptional(r));
            int columns = r.ReadInt32();
            bool intercept = r.ReadBoolean();
            int pass = r.ReadInt32();
            EtaSpec current = ReadSpec(r);
            EtaSpec? previous = r.ReadBoolean() ? ReadSpec(r) : null;
            bool interceptOnly = r.ReadBoolean(), withGram = r.ReadBoolean(), pearson = r.ReadBoolean(), aic = r.ReadBoolean();
            var nullMode = (NullMode)r.ReadByte();
            double nullMean = r.ReadDouble();
            if (columns < 0 || !Enum.IsDefined(nullMode)) throw new InvalidDataException("The request's columns or null-deviance mode are out of range.");
            return new GlmPassRequest(family, link, columns, intercept, pass, current, previous, interceptOnly, withGram, pearson, aic, nullMode, nullMean);
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException($"The request's {bytes.Length} bytes end before the request does.", e);
        }
    }

    private static void WriteOptional(BinaryWriter w, double? value)
    {
        w.Write(value.HasValue);
        if (value is double v) w.Write(v);
    }

    private static double? ReadOptional(BinaryReader r) => r.ReadBoolean() ? r.ReadDouble() : null;

    private static void WriteSpec(BinaryWriter w, EtaSpec spec)
    {
        w.Write((byte)spec.Kind);
        double[] beta = spec.Beta ?? [];
        w.Write(beta.Length);
        foreach (double b in beta) w.Write(b);
    }

    private static EtaSpec ReadSpec(BinaryReader r)
    {
        var kind = (EtaKind)r.ReadByte();
        if (!Enum.IsDefined(kind)) throw new InvalidDataException($"The request names linear predictor kind {((byte)kind).ToString(CultureInfo.InvariantCulture)}, which this library does not know.");
        int length = r.ReadInt32();
        if (length < 0 || length > 1 << 24) throw new InvalidDataException($"The request's coefficient count {length} is out of range.");
        double[] beta = new double[length];
        for (int j = 0; j < length; j++) beta[j] = r.ReadDouble();
        return new EtaSpec(kind, kind == EtaKind.FamilyStart ? null : beta);
    }
}
