using System;
using System.IO;
using System.Text;
using NNLinearity.Numerics;

namespace NNLinearity.Glm;

/// <summary>
/// The sums one IRLS pass needs from a set of rows: the weighted Gram matrix [X z]^T W [X z] (X^T W X and X^T W z),
/// the deviance, the counts and weights, and the terms of the null deviance, Pearson's statistic, the AIC and the
/// diagnostics (fitted probabilities at 0 or 1, non-integer counts, a constant response). It is small (O(p^2)),
/// serialisable (<see cref="ToBytes"/>), and two of them combine with <see cref="Merge"/>: a fit's answer is the
/// merge of its partitions' statistics, taken in a fixed tree order so that the bits do not depend on how many
/// threads or workers computed them.
/// </summary>
/// <remarks>Thread safety: immutable once returned by the library; any number of threads may read and merge it.</remarks>
public sealed class GlmPassStatistics
{
    private const byte FormatVersion = 2;

    internal GlmPassStatistics(int coefficients, bool withGram, int aicSums)
    {
        Coefficients = coefficients;
        PaddedColumns = NNLinearity.Numerics.WeightedGram.PaddedColumns(coefficients + 1);
        HasGram = withGram;
        Gram = withGram ? new double[PaddedColumns * PaddedColumns] : [];
        AicSums = new double[aicSums];
        Clear();
    }

    /// <summary>Number of coefficients of the design the pass summed over.</summary>
    public int Coefficients { get; }

    /// <summary>Number of rows summed over (zero-weight rows included).</summary>
    public long Rows { get; internal set; }

    /// <summary>Number of rows with a positive prior weight.</summary>
    public long WeightedRows { get; internal set; }

    /// <summary>The deviance at the pass's coefficients.</summary>
    public double Deviance { get; internal set; }

    /// <summary>False when some row's linear predictor or mean left the link's or family's valid range (IRLS then halves its step).</summary>
    public bool Valid { get; internal set; }

    /// <summary>True when the pass summed the weighted Gram matrix.</summary>
    public bool HasGram { get; }

    /// <summary>Element (j, l) of [X z]^T W [X z], j and l from 0 to <see cref="Coefficients"/> (the last index is z's).</summary>
    /// <param name="j">Row index.</param>
    /// <param name="l">Column index.</param>
    /// <returns>The element.</returns>
    /// <exception cref="InvalidOperationException">The pass did not sum the Gram matrix.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An index is outside 0..Coefficients.</exception>
    public double WeightedGram(int j, int l)
    {
        if (!HasGram) throw new InvalidOperationException("This pass did not sum the weighted Gram matrix (its request had WithGram false).");
        if ((uint)j > (uint)Coefficients) throw new ArgumentOutOfRangeException(nameof(j), j, $"j must be from 0 to {Coefficients}.");
        if ((uint)l > (uint)Coefficients) throw new ArgumentOutOfRangeException(nameof(l), l, $"l must be from 0 to {Coefficients}.");
        return j <= l ? Gram[j * PaddedColumns + l] : Gram[l * PaddedColumns + j];
    }

    internal int PaddedColumns { get; }

    /// <summary>The upper triangle (row j, column l >= j) of [X z]^T W [X z], padded rows of <see cref="PaddedColumns"/>; the rest is not read.</summary>
    internal double[] Gram { get; }

    internal double SumWeights { get; set; }

    internal double SumWeightedResponse { get; set; }

    internal double NullDeviance { get; set; }

    internal double Pearson { get; set; }

    internal double[] AicSums { get; }

    internal long AtBoundary { get; set; }

    internal long NonIntegerSuccesses { get; set; }

    internal int FirstNonIntegerPartition { get; set; }

    internal long FirstNonIntegerRow { get; set; }

    internal double FirstNonIntegerValue { get; set; }

    internal double SumMeans { get; set; }

    internal double SumSquaredMeans { get; set; }

    internal double SumScaledMeans { get; set; }

    internal double FirstResponse { get; set; }

    internal bool ResponseConstant { get; set; }

    internal ulong Fingerprint { get; set; }

    /// <summary>
    /// Separation evidence: the smallest distance of a fitted mean from the boundary its response pulls it to, over the
    /// weighted rows (binomial y in {0, 1}: min(mu, 1 - mu); Poisson y = 0: mu); +infinity when there is none.
    /// </summary>
    internal double MinBoundaryDistance { get; set; } = double.PositiveInfinity;

    /// <summary>The sum of the responses over all rows, zero weights included (the scale of Poisson's boundary).</summary>
    internal double SumResponse { get; set; }

    internal void Clear()
    {
        Array.Clear(Gram);
        Array.Clear(AicSums);
        Rows = WeightedRows = AtBoundary = NonIntegerSuccesses = 0;
        Deviance = SumWeights = SumWeightedResponse = NullDeviance = Pearson = SumMeans = SumSquaredMeans = SumScaledMeans = 0;
        Valid = true;
        FirstNonIntegerPartition = 0;
        FirstNonIntegerRow = -1;
        FirstNonIntegerValue = 0;
        FirstResponse = 0;
        ResponseConstant = true;
        Fingerprint = 0;
        MinBoundaryDistance = double.PositiveInfinity;
        SumResponse = 0;
    }

    /// <summary>
    /// The statistics of the rows of <paramref name="left"/> followed by those of <paramref name="right"/>. Sums add,
    /// flags combine, and the first of the diagnostics' examples is kept. The sums are associative up to rounding;
    /// a fit merges in one fixed tree order (by row tile within a partition, by partition index across partitions),
    /// which is what makes it bit-identical for any number of threads and workers.
    /// </summary>
    /// <param name="left">The earlier rows' statistics.</param>
    /// <param name="right">The later rows' statistics.</param>
    /// <returns>A new value; the arguments are not changed.</returns>
    /// <exception cref="ArgumentException">The two come from different passes (sizes or Gram presence disagree).</exception>
    public static GlmPassStatistics Merge(GlmPassStatistics left, GlmPassStatistics right)
    {
        ArgumentNullException.ThrowIfNull(left);
        ArgumentNullException.ThrowIfNull(right);
        var result = new GlmPassStatistics(left.Coefficients, left.HasGram, left.AicSums.Length);
        result.Add(left);
        result.Add(right);
        return result;
    }

    /// <summary>Adds <paramref name="other"/>'s rows after this one's.</summary>
    internal void Add(GlmPassStatistics other)
    {
        if (other.Coefficients != Coefficients || other.HasGram != HasGram || other.AicSums.Length != AicSums.Length)
        {
            throw new ArgumentException($"Statistics of {other.Coefficients} coefficients (Gram {(other.HasGram ? "summed" : "not summed")}) cannot be merged with statistics of {Coefficients} (Gram {(HasGram ? "summed" : "not summed")}): they come from different passes.", nameof(other));
        }

        if (other.Rows == 0) return;
        bool empty = Rows == 0;
        double[] g = Gram, h = other.Gram;
        for (int i = 0; i < g.Length; i++) g[i] += h[i];
        for (int i = 0; i < AicSums.Length; i++) AicSums[i] += other.AicSums[i];
        Deviance += other.Deviance;
        Valid &= other.Valid;
        SumWeights += other.SumWeights;
        SumWeightedResponse += other.SumWeightedResponse;
        NullDeviance += other.NullDeviance;
        Pearson += other.Pearson;
        AtBoundary += other.AtBoundary;
        NonIntegerSuccesses += other.NonIntegerSuccesses;
        SumMeans += other.SumMeans;
        SumSquaredMeans += other.SumSquaredMeans;
        SumScaledMeans += other.SumScaledMeans;
        MinBoundaryDistance = Math.Min(MinBoundaryDistance, other.MinBoundaryDistance);
        SumResponse += other.SumResponse;
        if (FirstNonIntegerRow < 0 && other.FirstNonIntegerRow >= 0)
        {
            FirstNonIntegerPartition = other.FirstNonIntegerPartition;
            FirstNonIntegerRow = other.FirstNonIntegerRow;
            FirstNonIntegerValue = other.FirstNonIntegerValue;
        }

        if (WeightedRows == 0)
        {
            FirstResponse = other.FirstResponse;
            ResponseConstant = other.ResponseConstant;
        }
        else if (other.WeightedRows > 0)
        {
            ResponseConstant = ResponseConstant && other.ResponseConstant && FirstResponse == other.FirstResponse;
        }

        Fingerprint = empty ? other.Fingerprint : (Fingerprint ^ (Fingerprint >> 29)) * 0x9E3779B97F4A7C15UL + other.Fingerprint;
        Rows += other.Rows;
        WeightedRows += other.WeightedRows;
    }

    /// <summary>The statistics as bytes, for a driver in another process.</summary>
    /// <returns>The serialised value (the Gram's upper triangle, not its padding).</returns>
    public byte[] ToBytes()
    {
        using var stream = new MemoryStream();
        using (var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(FormatVersion);
            w.Write(Coefficients);
            w.Write(HasGram);
            w.Write(AicSums.Length);
            if (HasGram)
            {
                for (int j = 0; j <= Coefficients; j++)
                {
                    for (int l = j; l <= Coefficients; l++) w.Write(Gram[j * PaddedColumns + l]);
                }
            }

            foreach (double a in AicSums) w.Write(a);
            w.Write(Rows);
            w.Write(WeightedRows);
            w.Write(Deviance);
            w.Write(Valid);
            w.Write(SumWeights);
            w.Write(SumWeightedResponse);
            w.Write(NullDeviance);
            w.Write(Pearson);
            w.Write(AtBoundary);
            w.Write(NonIntegerSuccesses);
            w.Write(FirstNonIntegerPartition);
            w.Write(FirstNonIntegerRow);
            w.Write(FirstNonIntegerValue);
            w.Write(SumMeans);
            w.Write(SumSquaredMeans);
            w.Write(SumScaledMeans);
            w.Write(FirstResponse);
            w.Write(ResponseConstant);
            w.Write(Fingerprint);
            w.Write(MinBoundaryDistance);
            w.Write(SumResponse);
        }

        return stream.ToArray();
    }

    /// <summary>Rebuilds statistics from <see cref="ToBytes"/>.</summary>
    /// <param name="bytes">The serialised value.</param>
    /// <returns>The statistics.</returns>
    /// <exception cref="InvalidDataException">The bytes are not statistics of this format.</exception>
    public static GlmPassStatistics FromBytes(byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        try
        {
            using var r = new BinaryReader(new MemoryStream(bytes, writable: false), Encoding.UTF8);
            byte version = r.ReadByte();
            if (version != FormatVersion) throw new InvalidDataException($"The statistics' format version is {version}; this library reads version {FormatVersion}.");
            int p = r.ReadInt32();
            bool hasGram = r.ReadBoolean();
            int aic = r.ReadInt32();
            if (p < 1 || p > 1 << 14 || aic < 0 || aic > 16) throw new InvalidDataException($"The statistics' sizes ({p} coefficients, {aic} AIC sums) are out of range.");
            var s = new GlmPassStatistics(p, hasGram, aic);
            if (hasGram)
            {
                for (int j = 0; j <= p; j++)
                {
                    for (int l = j; l <= p; l++) s.Gram[j * s.PaddedColumns + l] = r.ReadDouble();
                }
            }

            for (int i = 0; i < aic; i++) s.AicSums[i] = r.ReadDouble();
            s.Rows = r.ReadInt64();
            s.WeightedRows = r.ReadInt64();
            s.Deviance = r.ReadDouble();
            s.Valid = r.ReadBoolean();
            s.SumWeights = r.ReadDouble();
            s.SumWeightedResponse = r.ReadDouble();
            s.NullDeviance = r.ReadDouble();
            s.Pearson = r.ReadDouble();
            s.AtBoundary = r.ReadInt64();
            s.NonIntegerSuccesses = r.ReadInt64();
            s.FirstNonIntegerPartition = r.ReadInt32();
            s.FirstNonIntegerRow = r.ReadInt64();
            s.FirstNonIntegerValue = r.ReadDouble();
            s.SumMeans = r.ReadDouble();
            s.SumSquaredMeans = r.ReadDouble();
            s.SumScaledMeans = r.ReadDouble();
            s.FirstResponse = r.ReadDouble();
            s.ResponseConstant = r.ReadBoolean();
            s.Fingerprint = r.ReadUInt64();
            s.MinBoundaryDistance = r.ReadDouble();
            s.SumResponse = r.ReadDouble();
            return s;
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException($"The statistics' {bytes.Length} bytes end before the statistics do.", e);
        }
    }
}
