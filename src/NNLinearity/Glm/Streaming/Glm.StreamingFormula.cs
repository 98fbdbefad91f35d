using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using NNLinearity.Data;
using NNLinearity.Families;
using NNLinearity.Formulas;
using NNLinearity.Links;

namespace NNLinearity.Glm;

public static partial class Glm
{
    /// <summary>
    /// Fits a GLM from an R formula on data read a table at a time (see <see cref="FitStreaming(IGlmChunkSource, GlmFamily, ILinkFunction?, GlmStreamingOptions?)"/>).
    /// A first pass collects every factor's levels over the complete rows of all the tables (text columns sorted, as
    /// one table would sort them; factors and logical columns in their declared order; <c>factor(x)</c> of numbers in
    /// numeric order), then each IRLS pass codes every table with that one recipe: R's model frame and model matrix
    /// of the whole data, a table at a time. Rows with a missing value are left out (R's <c>na.omit</c>).
    /// </summary>
    /// <param name="formula">An R formula with a response.</param>
    /// <param name="data">The tables, readable as many times as the fit needs.</param>
    /// <param name="family">The response family.</param>
    /// <param name="link">The link; the family's canonical link when null.</param>
    /// <param name="options">Start, control, progress and cancellation; the intercept and names come from the formula.</param>
    /// <param name="frame">Weights and offset columns and contrasts.</param>
    /// <returns>The fit, named by the formula's columns, without per-row results; it predicts for new tables (<see cref="GlmFit.Predict(DataTable, GlmPredictionScale)"/>), coding them with the collected levels.</returns>
    /// <exception cref="FormulaSyntaxException">The formula does not parse.</exception>
    /// <exception cref="ArgumentException">The formula has no response, a column is missing, a factor has fewer than two levels, or a row is refused.</exception>
    /// <exception cref="NotSupportedException">A term needs the whole column at once (<c>poly()</c>'s orthogonal basis), a text response (code it 0/1 or as a factor with declared levels), or levels whose order cannot be told from the tables (declare them as a factor).</exception>
    public static GlmFit FitStreaming(string formula, IDataTableChunkSource data, GlmFamily family, ILinkFunction? link = null, GlmStreamingOptions? options = null, ModelFrameOptions? frame = null)
    {
        ArgumentNullException.ThrowIfNull(formula);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(family);
        options ??= new GlmStreamingOptions();
        if (!options.Intercept || options.ColumnNames is not null)
        {
            throw new ArgumentException("With a formula, the intercept is removed with '- 1' or '0 +' and the names come from the formula; leave GlmStreamingOptions.Intercept and ColumnNames at their defaults.", nameof(options));
        }

        frame ??= new ModelFrameOptions();
        if (frame.MissingValues == MissingValueAction.Exclude) frame = frame with { MissingValues = MissingValueAction.Omit }; // no per-row results to pad
        Formula parsed = Formula.Parse(formula);
        FormulaRecipe recipe = CollectLevels(parsed, data, frame, options);
        var source = new FormulaChunkSource(data, recipe, frame);
        var inner = options with
        {
            Intercept = recipe.Terms.HasIntercept,
            ColumnNames = recipe.Names,
            Progress = options.Progress is null ? null : new ShiftedProgress(options.Progress),
        };
        GlmFit fit = FitStreaming(source, family, link, inner);
        fit.DataPasses++;
        fit.PredictionDesign = recipe.Prototype;
        return fit;
    }

    /// <summary>The coding every table goes through: the terms, each factor's levels, the columns' names.</summary>
    private sealed record FormulaRecipe(ModelTerms Terms, DesignRecipe Recipe, string[] Names, bool HasWeights, bool HasOffset, ModelDesign Prototype);

    /// <summary>One factor's levels as the tables show them.</summary>
    private sealed class LevelSet
    {
        public readonly HashSet<string> Used = new(StringComparer.Ordinal);
        public ColumnKind? Kind;
        public string[]? Declared;
        public string[]? FirstUsed;
        public bool SameUsedEverywhere = true;
        public bool Ordered;
    }

    private static FormulaRecipe CollectLevels(Formula formula, IDataTableChunkSource data, ModelFrameOptions frame, GlmStreamingOptions options)
    {
        ModelTerms? terms = null;
        DataTable? first = null;
        var levels = new Dictionary<string, LevelSet>(StringComparer.Ordinal);
        long rows = 0;
        foreach (DataTable table in data.ReadTables(options.CancellationToken))
        {
            options.CancellationToken.ThrowIfCancellationRequested();
            terms ??= formula.Expand(table.ColumnNames);
            if (terms.ResponseIndex < 0) throw new ArgumentException($"The formula '{formula}' has no response (write 'y ~ ...').", nameof(formula));
            string response = terms.Variables[terms.ResponseIndex];
            if (table.Contains(response) && table[response].Kind == ColumnKind.Character)
            {
                throw new NotSupportedException($"The response '{response}' is a text column, whose levels (and so which one is failure) each table would decide alone; code it 0/1, or as a factor with declared levels.");
            }

            ModelDesign d = Frame.Build(terms, table, frame, recipe: null, withResponse: true, allowNoRows: true, levelsOnly: true);
            if (d.Recipe.Poly.Count > 0)
            {
                throw new NotSupportedException($"{d.Recipe.Poly.Keys.First()} needs the whole column for its orthogonal basis; a streamed fit reads a table at a time. Use poly(x, degree, raw = TRUE) or precomputed columns.");
            }

            foreach ((string label, string[] used) in d.Recipe.Levels)
            {
                if (!levels.TryGetValue(label, out LevelSet? set)) levels[label] = set = new LevelSet();
                set.Used.UnionWith(used);
                set.Ordered = d.Recipe.Ordered[label];
                if (set.FirstUsed is null) set.FirstUsed = used;
                else set.SameUsedEverywhere &= set.FirstUsed.SequenceEqual(used);
                if (table.Contains(label))
                {
                    DataColumn c = table[label];
                    set.Kind = c.Kind;
                    if (c.Kind is ColumnKind.Factor or ColumnKind.Logical)
                    {
                        string[] declared = c.Levels.ToArray();
                        if (set.Declared is not null && !set.Declared.SequenceEqual(declared))
                        {
                            throw new NotSupportedException($"The factor '{label}' declares the levels {string.Join(", ", set.Declared)} in one table and {string.Join(", ", declared)} in another; a streamed fit needs one declaration.");
                        }

                        set.Declared = declared;
                    }
                }
            }

            if (d.RowCount > 0) first ??= table;
            rows += table.RowCount;
            options.Progress?.Report(new GlmStreamingProgress(1, GlmPassPurpose.Levels, rows, false));
        }

        options.Progress?.Report(new GlmStreamingProgress(1, GlmPassPurpose.Levels, rows, true));
        if (terms is null || first is null) throw new ArgumentException("The tables hold no complete row: a GLM needs at least one observation.", nameof(data));
        var recipe = new DesignRecipe(frame);
        foreach ((string label, LevelSet set) in levels)
        {
            string[] final;
            if (set.Declared is not null) final = set.Declared.Where(set.Used.Contains).ToArray();
            else if (set.Kind == ColumnKind.Character) final = set.Used.Order(StringComparer.Ordinal).ToArray();
            else if (set.Used.All(l => double.TryParse(l, NumberStyles.Float, CultureInfo.InvariantCulture, out _))) final = set.Used.OrderBy(l => double.Parse(l, NumberStyles.Float, CultureInfo.InvariantCulture)).ToArray();
            else if (set.SameUsedEverywhere) final = set.FirstUsed!;
            else throw new NotSupportedException($"The levels of '{label}' differ between tables and their order cannot be told from them; make it a factor column with declared levels.");
            if (final.Length < 2)
            {
                throw new ArgumentException($"The factor '{label}' has {final.Length} level(s) in the complete rows ({string.Join(", ", final)}); contrasts need at least two (R: \"contrasts can be applied only to factors with 2 or more levels\").", nameof(data));
            }

            recipe.Levels[label] = final;
            recipe.Ordered[label] = set.Ordered;
        }

        ModelDesign prototype = Frame.Build(terms, first, frame, recipe, withResponse: true);
        int skip = terms.HasIntercept ? 1 : 0;
        return new FormulaRecipe(terms, recipe, prototype.ColumnNames.Skip(skip).ToArray(), prototype.Weights is not null, prototype.Offset is not null, prototype);
    }

    /// <summary>The tables coded with the recipe, as chunks of the design's columns (without the intercept, which the fit adds).</summary>
    private sealed class FormulaChunkSource(IDataTableChunkSource data, FormulaRecipe recipe, ModelFrameOptions frame) : IGlmChunkSource
    {
        public int Columns => recipe.Names.Length;

        public IReadOnlyList<string>? ColumnNames => recipe.Names;

        public bool HasWeights => recipe.HasWeights;

        public bool HasOffset => recipe.HasOffset;

        public IEnumerable<GlmChunk> ReadChunks(CancellationToken cancellationToken)
        {
            int k = Columns, skip = recipe.Terms.HasIntercept ? 1 : 0;
            foreach (DataTable table in data.ReadTables(cancellationToken))
            {
                ModelDesign d = Frame.Build(recipe.Terms, table, frame, recipe.Recipe, withResponse: true, allowNoRows: true);
                int m = d.RowCount, p = d.ColumnCount;
                if (p != k + skip) throw new InvalidOperationException($"A table coded to {p} columns where the first gave {k + skip}.");
                double[] x = new double[m * k];
                double[] matrix = d.MatrixArray;
                for (int r = 0; r < m; r++) Array.Copy(matrix, r * p + skip, x, r * k, k);
                yield return new GlmChunk(x, k, d.Response!.ToArray(),
                    recipe.HasWeights ? d.Weights!.ToArray() : default(ReadOnlyMemory<double>),
                    recipe.HasOffset ? d.Offset!.ToArray() : default(ReadOnlyMemory<double>));
            }
        }
    }

    /// <summary>The fit's passes reported one later: the level pass is pass 1.</summary>
    private sealed class ShiftedProgress(IProgress<GlmStreamingProgress> inner) : IProgress<GlmStreamingProgress>
    {
        public void Report(GlmStreamingProgress value) => inner.Report(value with { Pass = value.Pass + 1 });
    }
}
