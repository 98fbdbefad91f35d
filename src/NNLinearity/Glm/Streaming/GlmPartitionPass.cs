using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using NNLinearity.Families;
using NNLinearity.Links;
using NNLinearity.Numerics;

namespace NNLinearity.Glm;

/// <summary>
/// Evaluates one pass of a streamed or distributed IRLS fit over one partition of the data: reads the partition's
/// chunks once and returns its <see cref="GlmPassStatistics"/>. Rows are summed in tiles of <see cref="TileRows"/>
/// rows counted from the partition's first row, whatever the chunk sizes, and the tiles are merged in a fixed binary
/// tree (pairwise, as a binary counter), so the result is the same bits for any chunk size and thread count.
/// </summary>
/// <remarks>Thread safety: stateless; any number of passes may run at once, each reading its own enumeration of its source.</remarks>
public static class GlmPartitionPass
{
    /// <summary>Rows per tile: the unit the statistics are summed and merged in.</summary>
    public const int TileRows = 4096;

    private const int B = WeightedGram.BlockRows;

    /// <summary>Reads <paramref name="source"/> once and sums what <paramref name="request"/> asks for.</summary>
    /// <param name="source">The partition's rows.</param>
    /// <param name="request">The pass.</param>
    /// <param name="partition">The partition's index, for the diagnostics and the messages that name a row.</param>
    /// <param name="maxDegreeOfParallelism">Threads that sum tiles (-1: all processors); the result does not depend on it.</param>
    /// <param name="rowsRead">Told the number of rows read so far after each chunk, or null.</param>
    /// <param name="cancellationToken">Stops the pass between chunks.</param>
    /// <returns>The partition's statistics.</returns>
    /// <exception cref="ArgumentException">The source's columns disagree with the request, or a row holds a value the fit refuses (named by partition and row).</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    public static GlmPassStatistics Evaluate(IGlmChunkSource source, GlmPassRequest request, int partition = 0, int maxDegreeOfParallelism = -1,
        IProgress<long>? rowsRead = null, CancellationToken cancellationToken = default) =>
        EvaluateNamed(source, request, partition, maxDegreeOfParallelism, rowsRead, nameof(source), cancellationToken);

    /// <summary>As the public overload, with the caller's name for the data in the refusals of rows and chunks.</summary>
    internal static GlmPassStatistics EvaluateNamed(IGlmChunkSource source, GlmPassRequest request, int partition, int maxDegreeOfParallelism,
        IProgress<long>? rowsRead, string dataArgument, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(request);
        if (maxDegreeOfParallelism is 0 or < -1)
        {
            throw new ArgumentOutOfRangeException(nameof(maxDegreeOfParallelism), maxDegreeOfParallelism, $"maxDegreeOfParallelism is {maxDegreeOfParallelism}; it must be -1 (all processors) or at least 1.");
        }

        if (source.Columns != request.Columns)
        {
            throw new ArgumentException($"Partition {partition} has {source.Columns} predictor columns but the model has {request.Columns}.", dataArgument);
        }

        int threads = maxDegreeOfParallelism < 0 ? Environment.ProcessorCount : maxDegreeOfParallelism;
        var pass = new Pass(source, request, partition, threads, dataArgument);
        return pass.Run(cancellationToken, rowsRead);
    }

    /// <summary>A tile's rows, copied from the chunks.</summary>
    private sealed class Tile(int columns)
    {
        public readonly double[] X = new double[TileRows * columns];
        public readonly double[] Y = new double[TileRows];
        public readonly double[] W = new double[TileRows];
        public readonly double[] Offset = new double[TileRows];
        public int Rows;
        public long FirstRow;
    }

    /// <summary>Per-thread buffers for one 128-row block.</summary>
    private sealed class Scratch(int paddedColumns, int paddedBeta)
    {
        public readonly double[] U = new double[paddedColumns * B];
        public readonly double[] Beta = new double[paddedColumns];
        public readonly double[] PreviousBeta = new double[paddedColumns];
        public readonly double[] Eta = new double[B];
        public readonly double[] Mu = new double[B];
        public readonly double[] DMu = new double[B];
        public readonly double[] Variance = new double[B];
        public readonly double[] Ww = new double[B];
        public readonly double[] EtaPrevious = new double[B];
        public readonly double[] MuPrevious = new double[B];
        public readonly double[] DMuPrevious = new double[B];
        public readonly double[] Null = new double[B];
        public readonly double[] Gram = new double[paddedColumns * paddedColumns];
        public readonly int PaddedBeta = paddedBeta;
    }

    /// <summary>The fixed pairwise merge: tile t joins the tree as a leaf; equal-sized neighbours merge at once.</summary>
    private sealed class Tree(Func<GlmPassStatistics> create)
    {
        private readonly List<(int Level, GlmPassStatistics Stats)> _stack = [];
        private readonly Stack<GlmPassStatistics> _spare = new();

        public GlmPassStatistics Rent()
        {
            if (_spare.Count == 0) return create();
            GlmPassStatistics s = _spare.Pop();
            s.Clear();
            return s;
        }

        public void Push(GlmPassStatistics leaf)
        {
            int level = 0;
            while (_stack.Count > 0 && _stack[^1].Level == level)
            {
                GlmPassStatistics left = _stack[^1].Stats;
                _stack.RemoveAt(_stack.Count - 1);
                left.Add(leaf);
                _spare.Push(leaf);
                leaf = left;
                level++;
            }

            _stack.Add((level, leaf));
        }

        public GlmPassStatistics Result()
        {
            if (_stack.Count == 0) return create();
            GlmPassStatistics acc = _stack[^1].Stats;
            for (int i = _stack.Count - 2; i >= 0; i--)
            {
                GlmPassStatistics left = _stack[i].Stats;
                left.Add(acc);
                acc = left;
            }

            return acc;
        }
    }

#pragma warning disable CA2208 // the messages describe the caller's source argument
    private sealed unsafe class Pass
    {
        private readonly IGlmChunkSource _source;
        private readonly GlmPassRequest _r;
        private readonly GlmFamily _family;
        private readonly int _partition;
        private readonly int _threads;
        private readonly int _k;
        private readonly int _pFull;
        private readonly int _ppFull;
        private readonly double _muLo;
        private readonly double _muHi;
        private readonly bool _floorDerivative;
        private readonly bool _anyFiniteEtaValid;
        private readonly string _dataArgument; // the caller's parameter holding the data, named by refusals

        public Pass(IGlmChunkSource source, GlmPassRequest request, int partition, int threads, string dataArgument)
        {
            _source = source;
            _dataArgument = dataArgument;
            _r = request;
            _family = request.Family;
            _partition = partition;
            _threads = Math.Max(1, threads);
            _k = request.Columns;
            _pFull = _k + (request.Intercept ? 1 : 0);
            _ppFull = WeightedGram.PaddedColumns(_pFull + 1);
            ILinkFunction link = request.Link;
            double lo = link.MeanLowerBound, hi = link.MeanUpperBound;
            _muLo = double.IsFinite(lo) ? lo + Special.Epsilon : double.NegativeInfinity;
            _muHi = double.IsFinite(hi) ? hi - Special.Epsilon : double.PositiveInfinity;
            _floorDerivative = double.IsFinite(lo) || double.IsFinite(hi);
            _anyFiniteEtaValid = link is IdentityLink or LogLink or LogitLink or ProbitLink or CloglogLink or LogLogLink or CauchitLink
                || (link is PowerLink pl && pl.Lambda is 0 or 1);
        }

        private GlmPassStatistics NewStatistics() => new(_r.Coefficients, _r.WithGram, _r.Aic ? _family.AicSumCount : 0);

        public GlmPassStatistics Run(CancellationToken ct, IProgress<long>? rowsRead)
        {
            var tree = new Tree(NewStatistics);
            int batch = _threads == 1 ? 1 : 2 * _threads;
            var tiles = new Tile[batch];
            for (int t = 0; t < batch; t++) tiles[t] = new Tile(_k);
            var results = new GlmPassStatistics[batch];
            var scratch = new Scratch[batch];
            int filled = 0; // tiles complete in this batch
            long row = 0;
            Tile current = tiles[0];
            current.Rows = 0;
            current.FirstRow = 0;
            bool hasWeights = _source.HasWeights, hasOffset = _source.HasOffset;
            foreach (GlmChunk chunk in _source.ReadChunks(ct))
            {
                ct.ThrowIfCancellationRequested();
                CheckChunk(chunk, hasWeights, hasOffset, row);
                ReadOnlySpan<double> x = chunk.X.Span, y = chunk.Response.Span, w = chunk.Weights.Span, off = chunk.Offset.Span;
                int at = 0, rows = chunk.Rows;
                while (at < rows)
                {
                    int take = Math.Min(rows - at, TileRows - current.Rows);
                    x.Slice(at * _k, take * _k).CopyTo(current.X.AsSpan(current.Rows * _k));
                    y.Slice(at, take).CopyTo(current.Y.AsSpan(current.Rows));
                    if (hasWeights) w.Slice(at, take).CopyTo(current.W.AsSpan(current.Rows));
                    else current.W.AsSpan(current.Rows, take).Fill(1.0);
                    if (hasOffset) off.Slice(at, take).CopyTo(current.Offset.AsSpan(current.Rows));
                    current.Rows += take;
                    at += take;
                    row += take;
                    if (current.Rows == TileRows)
                    {
                        filled++;
                        if (filled == batch)
                        {
                            RunBatch(tiles, filled, results, scratch, tree);
                            filled = 0;
                        }

                        current = tiles[filled];
                        current.Rows = 0;
                        current.FirstRow = row;
                    }
                }

                rowsRead?.Report(row);
            }

            if (current.Rows > 0) filled++;
            if (filled > 0) RunBatch(tiles, filled, results, scratch, tree);
            return tree.Result();
        }

        private void CheckChunk(GlmChunk chunk, bool hasWeights, bool hasOffset, long row)
        {
            if (chunk.Columns != _k)
            {
                throw new ArgumentException($"The chunk of partition {_partition} from row {row} has {chunk.Columns} columns but the model has {_k}.", _dataArgument);
            }

            if (hasWeights == chunk.Weights.IsEmpty && chunk.Rows > 0)
            {
                throw new ArgumentException($"The chunk of partition {_partition} from row {row} {(hasWeights ? "has no weights, though its source says it has" : "has weights, though its source says it has none")}.", _dataArgument);
            }

            if (hasOffset == chunk.Offset.IsEmpty && chunk.Rows > 0)
            {
                throw new ArgumentException($"The chunk of partition {_partition} from row {row} {(hasOffset ? "has no offset, though its source says it has" : "has an offset, though its source says it has none")}.", _dataArgument);
            }
        }

        private void RunBatch(Tile[] tiles, int count, GlmPassStatistics[] results, Scratch[] scratch, Tree tree)
        {
            for (int t = 0; t < count; t++) results[t] = tree.Rent();
            if (count == 1 || _threads == 1)
            {
                scratch[0] ??= new Scratch(_ppFull, _ppFull);
                for (int t = 0; t < count; t++) Tile(tiles[t], results[t], scratch[0]);
            }
            else
            {
                try
                {
                    Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = _threads }, t =>
                    {
                        scratch[t] ??= new Scratch(_ppFull, _ppFull);
                        Tile(tiles[t], results[t], scratch[t]);
                    });
                }
                catch (AggregateException e)
                {
                    // The first tile's refusal, as the sequential pass would give it.
                    System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions.OrderBy(x => x.Data["tile"] as int? ?? int.MaxValue).First()).Throw();
                }
            }

            for (int t = 0; t < count; t++) tree.Push(results[t]);
        }

        private void Tile(Tile tile, GlmPassStatistics s, Scratch sc)
        {
            switch (_r.Link)
            {
                case IdentityLink l: Tile(l, tile, s, sc); break;
                case LogLink l: Tile(l, tile, s, sc); break;
                case LogitLink l: Tile(l, tile, s, sc); break;
                case ProbitLink l: Tile(l, tile, s, sc); break;
                case CloglogLink l: Tile(l, tile, s, sc); break;
                case LogLogLink l: Tile(l, tile, s, sc); break;
                case CauchitLink l: Tile(l, tile, s, sc); break;
                case InverseLink l: Tile(l, tile, s, sc); break;
                case InverseSquaredLink l: Tile(l, tile, s, sc); break;
                case SqrtLink l: Tile(l, tile, s, sc); break;
                case PowerLink l: Tile(l, tile, s, sc); break;
                default: Tile(_r.Link, tile, s, sc); break;
            }
        }

        private double FittingMean<TLink>(TLink link, double eta) where TLink : ILinkFunction => Math.Clamp(link.Inverse(eta), _muLo, _muHi);

        private double FittingDerivative<TLink>(TLink link, double eta) where TLink : ILinkFunction
        {
            double d = link.InverseDerivative(eta);
            if (_floorDerivative && Math.Abs(d) < Special.Epsilon) d = double.CopySign(Special.Epsilon, d);
            return d;
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Tile<TLink>(TLink link, Tile tile, GlmPassStatistics s, Scratch sc) where TLink : ILinkFunction
        {
            int k = _k, pp = _ppFull, p = _pFull;
            bool hasOffset = _source.HasOffset;
            GlmFamily family = _family;
            s.Clear();
            double[] u = sc.U;
            fixed (double* px = tile.X)
            {
                // Blocks hold the intercept after the predictors (DesignSource.LoadRowsPredict); at coefficients the
                // loader computes eta in the same registers.
                var design = new DesignSource(px, tile.Rows, k, k, 1, _r.Intercept);
                bool fused = _r.Current.Kind == EtaKind.Linear && !_r.InterceptOnly;
                if (fused) DesignSource.ToBlockOrder(_r.Current.Beta, sc.Beta, k, _r.Intercept);
                // With the Gram, each block's kernel asks the cache for the next block's rows (as the in-memory pass does).
                bool gramAsks = _r.WithGram && !_r.InterceptOnly && design.PrefetchesWhileLoading(pp);
                for (int r0 = 0; r0 < tile.Rows; r0 += B)
                {
                    int n = Math.Min(B, tile.Rows - r0);
                    Span<double> y = tile.Y.AsSpan(r0, n), w = tile.W.AsSpan(r0, n);
                    ReadOnlySpan<double> off = hasOffset ? tile.Offset.AsSpan(r0, n) : default;
                    Span<double> eta = sc.Eta.AsSpan(0, n), mu = sc.Mu.AsSpan(0, n), dmu = sc.DMu.AsSpan(0, n), variance = sc.Variance.AsSpan(0, n);
                    design.LoadRowsPredict(r0, n, u, pp, fused ? sc.Beta : default, fused ? off : default, eta, askAhead: !(gramAsks && r0 > 0));
                    CheckRows(u, n, pp, y, w, off, tile.FirstRow + r0);
                    bool valid = true;
                    bool fromMeans = !fused && LinearPredictor(link, _r.Current, u, n, pp, y, w, off, eta, sc, sc.Beta);
                    if (fromMeans) valid &= WeightedGram.AllFinite(eta); // g(starting means) must be finite (R: "cannot find valid starting values")

                    link.Inverse(eta, mu, dmu);
                    WorkingKernels.ClampMeans(mu, _muLo, _muHi);
                    if (_floorDerivative) WorkingKernels.FloorMagnitude(dmu, Special.Epsilon);
                    if (!_anyFiniteEtaValid)
                    {
                        for (int i = 0; i < n; i++) valid &= link.IsValidLinearPredictor(eta[i]);
                    }

                    s.Deviance += family.VarianceAndDeviance(y, mu, w, variance, ref valid);
                    s.Valid &= valid;
                    Summaries(family, y, w, mu, variance, tile.FirstRow + r0, s);
                    if (s.AicSums.Length > 0) family.AccumulateAicSums(y, mu, w, s.AicSums);
                    if (_r.Pearson && _r.Previous is EtaSpec previous) s.Pearson += Pearson(link, previous, u, n, pp, y, w, off, eta, mu, sc);
                    if (_r.NullMode != NullMode.None) s.NullDeviance += NullDeviance(link, y, w, off, sc);
                    if (!_r.WithGram) continue;
                    Span<double> ww = sc.Ww.AsSpan(0, n);
                    WorkingKernels.WeightsAndResponse(eta, off, y, mu, dmu, w, variance, ww, dmu);
                    if (_r.InterceptOnly)
                    {
                        int pp1 = s.PaddedColumns;
                        double g00 = 0, g01 = 0, g11 = 0;
                        for (int i = 0; i < n; i++)
                        {
                            g00 += ww[i];
                            g01 += ww[i] * dmu[i];
                            g11 += ww[i] * dmu[i] * dmu[i];
                        }

                        s.Gram[0] += g00;
                        s.Gram[1] += g01;
                        s.Gram[pp1 + 1] += g11;
                    }
                    else
                    {
                        WeightedGram.SetColumn(u, n, pp, dmu, p);
                        WeightedGram.Accumulate(u, n, pp, ww, s.Gram, gramAsks && r0 + B < tile.Rows ? design.RowLines(r0 + B, Math.Min(B, tile.Rows - r0 - B)) : default, p + 1);
                    }
                }
            }

            if (_r.WithGram && !_r.InterceptOnly && _r.Intercept)
            {
                s.Gram.AsSpan().CopyTo(sc.Gram);
                DesignSource.GramToDesignOrder(sc.Gram, s.Gram, s.PaddedColumns, k, true);
            }

            s.Rows = tile.Rows;
            s.Fingerprint = DataFingerprint.Of(tile.Y.AsSpan(0, tile.Rows), tile.W.AsSpan(0, tile.Rows));
            if (s.FirstNonIntegerRow >= 0) s.FirstNonIntegerPartition = _partition;
        }

        /// <summary>Writes eta for the block; returns true when it came from starting means rather than coefficients.</summary>
        private bool LinearPredictor<TLink>(TLink link, EtaSpec spec, double[] u, int n, int pp, ReadOnlySpan<double> y, ReadOnlySpan<double> w,
            ReadOnlySpan<double> off, Span<double> eta, Scratch sc, double[] betaPadded) where TLink : ILinkFunction
        {
            switch (spec.Kind)
            {
                case EtaKind.FamilyStart:
                    for (int i = 0; i < n; i++) eta[i] = link.Link(_family.InitialMean(y[i], w[i]));
                    return true;
                case EtaKind.FittedMeans:
                    DesignSource.ToBlockOrder(spec.Beta, betaPadded, _k, _r.Intercept);
                    WeightedGram.LinearPredictor(u, n, pp, betaPadded, off, eta);
                    for (int i = 0; i < n; i++) eta[i] = link.Link(FittingMean(link, eta[i]));
                    return true;
                default:
                    if (_r.InterceptOnly)
                    {
                        double b0 = spec.Beta![0];
                        for (int i = 0; i < n; i++) eta[i] = b0 + (off.IsEmpty ? 0.0 : off[i]);
                    }
                    else
                    {
                        DesignSource.ToBlockOrder(spec.Beta, betaPadded, _k, _r.Intercept);
                        WeightedGram.LinearPredictor(u, n, pp, betaPadded, off, eta);
                    }

                    return false;
            }
        }

        /// <summary>
        /// R's Pearson sum for the dispersion: the working weights of the step that produced these coefficients (at the
        /// previous linear predictor) times the squared working residuals at the current one.
        /// </summary>
        private double Pearson<TLink>(TLink link, EtaSpec previous, double[] u, int n, int pp, ReadOnlySpan<double> y, ReadOnlySpan<double> w,
            ReadOnlySpan<double> off, ReadOnlySpan<double> eta, ReadOnlySpan<double> mu, Scratch sc) where TLink : ILinkFunction
        {
            Span<double> etaP = sc.EtaPrevious.AsSpan(0, n), muP = sc.MuPrevious.AsSpan(0, n), dmuP = sc.DMuPrevious.AsSpan(0, n);
            LinearPredictor(link, previous, u, n, pp, y, w, off, etaP, sc, sc.PreviousBeta);
            link.Inverse(etaP, muP, dmuP);
            WorkingKernels.ClampMeans(muP, _muLo, _muHi);
            if (_floorDerivative) WorkingKernels.FloorMagnitude(dmuP, Special.Epsilon);
            double sum = 0;
            for (int i = 0; i < n; i++)
            {
                double d = dmuP[i], wi = w[i];
                if (!(wi > 0 && d != 0)) continue;
                double wwPrevious = wi * d * d / _family.Variance(muP[i]);
                if (!(wwPrevious > 0)) continue;
                double res = (y[i] - mu[i]) / FittingDerivative(link, eta[i]);
                sum += wwPrevious * res * res;
            }

            return sum;
        }

        private double NullDeviance<TLink>(TLink link, ReadOnlySpan<double> y, ReadOnlySpan<double> w, ReadOnlySpan<double> off, Scratch sc) where TLink : ILinkFunction
        {
            int n = y.Length;
            Span<double> mu0 = sc.Null.AsSpan(0, n), variance = sc.MuPrevious.AsSpan(0, n);
            for (int i = 0; i < n; i++) mu0[i] = _r.NullMode == NullMode.ConstantMean ? _r.NullMean : FittingMean(link, off.IsEmpty ? 0.0 : off[i]);
            bool ignored = true;
            return _family.VarianceAndDeviance(y, mu0, w, variance, ref ignored);
        }

        /// <summary>Counts, weights, the diagnostics' sums and the first non-integer count.</summary>
        private static void Summaries(GlmFamily family, ReadOnlySpan<double> y, ReadOnlySpan<double> w, ReadOnlySpan<double> mu, ReadOnlySpan<double> variance, long firstRow, GlmPassStatistics s)
        {
            const double tiny = 10 * Special.Epsilon;
            bool binomial = family is BinomialFamily, poisson = family is PoissonFamily, counts = poisson || family is NegativeBinomialFamily, gaussian = family is GaussianFamily;
            for (int i = 0; i < y.Length; i++)
            {
                double wi = w[i], yi = y[i], m = mu[i];
                s.SumResponse += yi;
                if (wi > 0 && ((binomial && yi is 0 or 1) || (poisson && yi == 0)))
                {
                    s.MinBoundaryDistance = Math.Min(s.MinBoundaryDistance, binomial ? Math.Min(m, 1 - m) : m);
                }

                s.SumWeights += wi;
                s.SumWeightedResponse += wi * yi;
                if (binomial)
                {
                    if (m > 1 - tiny || m < tiny) s.AtBoundary++;
                    if (Math.Abs(wi * yi - Math.Round(wi * yi)) > 1e-3) s.NonIntegerSuccesses++;
                }
                else if (poisson && m <= tiny)
                {
                    s.AtBoundary++;
                }

                if (!(wi > 0)) continue;
                if (counts && s.FirstNonIntegerRow < 0 && yi != Math.Floor(yi))
                {
                    s.FirstNonIntegerRow = firstRow + i;
                    s.FirstNonIntegerValue = yi;
                }

                if (s.WeightedRows == 0) s.FirstResponse = yi;
                else s.ResponseConstant &= yi == s.FirstResponse;
                s.WeightedRows++;
                s.SumMeans += m;
                s.SumSquaredMeans += m * m;
                if (!gaussian) s.SumScaledMeans += m * m / variance[i];
            }
        }

        /// <summary>Refuses a block holding a non-finite predictor, response, weight or offset, a negative weight or a response outside the family's support.</summary>
        private void CheckRows(double[] u, int n, int pp, Span<double> y, ReadOnlySpan<double> w, ReadOnlySpan<double> off, long firstRow)
        {
            bool binomial = _family is BinomialFamily;
            for (int i = 0; i < n; i++)
            {
                double yi = y[i], wi = w[i];
                if (!double.IsFinite(yi)) throw Bad(firstRow + i, $"y is {yi.ToString(CultureInfo.InvariantCulture)}: responses must be finite");
                if (!(wi >= 0) || !double.IsFinite(wi)) throw Bad(firstRow + i, $"the prior weight is {wi.ToString(CultureInfo.InvariantCulture)}: prior weights must be finite and non-negative");
                if (!off.IsEmpty && !double.IsFinite(off[i])) throw Bad(firstRow + i, $"the offset is {off[i].ToString(CultureInfo.InvariantCulture)}: it must be finite");
                if (binomial && wi == 0) y[i] = yi = 0; // R: y[weights == 0] <- 0
                if (!_family.IsValidResponse(yi))
                {
                    throw Bad(firstRow + i, $"y = {yi.ToString(CultureInfo.InvariantCulture)} is outside the support of the {_family.Name} family ({_family.ResponseSupport})");
                }
            }

            if (!WeightedGram.AllFinite(u.AsSpan(0, n * pp)))
            {
                for (int i = 0; i < n; i++)
                {
                    for (int j = 0; j < _k; j++)
                    {
                        double v = u[i * pp + j]; // predictors come first in the block
                        if (!double.IsFinite(v)) throw Bad(firstRow + i, $"x[{j}] is {v.ToString(CultureInfo.InvariantCulture)}: every predictor must be finite");
                    }
                }
            }
        }

        private ArgumentException Bad(long row, string what) =>
            new($"Row {row.ToString(CultureInfo.InvariantCulture)} of partition {_partition.ToString(CultureInfo.InvariantCulture)}: {what}.", _dataArgument);
    }
#pragma warning restore CA2208
}
