using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Numerics;
using NNLinearity.Data;
using NNLinearity.Families;
using NNLinearity.Formulas;

namespace NNLinearity.Layers;

/// <summary>
/// How a table becomes a network's inputs: the formula's model matrix without its intercept (the first layer's bias
/// plays that part), every factor one-hot coded (indicators of all its levels), and each column whose term has no
/// factor standardised by its training mean and standard deviation. The levels, <c>poly</c> coefficients and
/// standardisation are kept here and in model files, so a table given later is coded exactly as the training one.
/// </summary>
/// <remarks>Thread safety: immutable; safe to share across threads.</remarks>
public sealed class TableEncoding
{
    internal TableEncoding(ModelTerms terms, DesignRecipe recipe, string[] tableColumns, string[] inputNames, double[] means, double[] scales, string[]? responseLevels)
    {
        Terms = terms;
        Recipe = recipe;
        TableColumns = tableColumns;
        InputNames = inputNames;
        Means = means;
        Scales = scales;
        ResponseLevels = responseLevels;
    }

    /// <summary>The formula.</summary>
    public string Formula => Terms.Formula.Text;

    /// <summary>The inputs' names, R's column names with factors one-hot (<c>woolA</c>, <c>woolB</c>, <c>x</c>, <c>woolA:x</c>).</summary>
    public IReadOnlyList<string> InputNames { get; }

    /// <summary>Each input's training mean (0 for columns with a factor, which are not standardised).</summary>
    public IReadOnlyList<double> Means { get; }

    /// <summary>Each input's training standard deviation (1 for columns with a factor, or for a constant column).</summary>
    public IReadOnlyList<double> Scales { get; }

    /// <summary>For a multinomial model: the response's levels, one output (class) each, in order; null otherwise.</summary>
    public IReadOnlyList<string>? ResponseLevels { get; }

    internal ModelTerms Terms { get; }

    internal DesignRecipe Recipe { get; }

    internal string[] TableColumns { get; }

#pragma warning disable CA2208 // errors name the public argument that carries the formula or the data
    /// <summary>Learns the coding from a training table.</summary>
    internal static TableEncoding Learn(string formula, DataTable data, bool multinomial, ModelFrameOptions? frame)
    {
        ArgumentNullException.ThrowIfNull(formula);
        ArgumentNullException.ThrowIfNull(data);
        ModelTerms terms = Formulas.Formula.Parse(formula).Expand(data.ColumnNames);
        if (terms.ResponseIndex < 0) throw new ArgumentException($"The formula '{formula}' has no response (write 'y ~ ...').", nameof(formula));
        ModelFrameOptions options = frame ?? new ModelFrameOptions();
        if (multinomial && (terms.OffsetNodes.Length > 0 || options.Offset is not null)) throw new ArgumentException($"A multinomial model takes no offset (the formula '{formula}' or ModelFrameOptions.Offset gives one).", nameof(formula));
        ModelDesign d = Frame.Build(terms, data, options with { MissingValues = options.MissingValues == MissingValueAction.Exclude ? MissingValueAction.Omit : options.MissingValues }, recipe: null, withResponse: true, oneHot: true);
        int skip = terms.HasIntercept ? 1 : 0, p = d.ColumnCount, k = p - skip;
        if (k == 0) throw new ArgumentException($"The formula '{formula}' has no input columns.", nameof(formula));
        var means = new double[k];
        var scales = new double[k];
        for (int j = 0; j < k; j++)
        {
            int term = d.Assign[j + skip] - 1;
            bool numeric = terms.TermVariables(term).All(v => !d.Recipe.Levels.ContainsKey(terms.VariableNode(v).Deparse()));
            scales[j] = 1;
            if (!numeric) continue;
            double mean = 0, m2 = 0;
            for (int r = 0; r < d.RowCount; r++)
            {
                double v = d.Matrix[r * p + j + skip], delta = v - mean;
                mean += delta / (r + 1);
                m2 += delta * (v - mean);
            }

            double sd = d.RowCount > 1 ? Math.Sqrt(m2 / (d.RowCount - 1)) : 0;
            means[j] = mean;
            scales[j] = sd > 0 ? sd : 1;
        }

        string[]? responseLevels = null;
        if (multinomial)
        {
            Value y = new Evaluator(data, new DesignRecipe(new ModelFrameOptions()), training: true).Evaluate(terms.VariableNode(terms.ResponseIndex));
            if (!y.IsFactor) throw new ArgumentException($"A multinomial model needs a factor, character or logical response; '{terms.VariableNode(terms.ResponseIndex).Deparse()}' is numeric.", nameof(formula));
            responseLevels = d.RowsUsed.Select(r => y.Codes![r]).Distinct().Order().Select(c => y.Levels[c]).ToArray();
            if (responseLevels.Length < 2) throw new ArgumentException($"The response has {responseLevels.Length} level in the rows used; a multinomial model needs at least 2.", nameof(data));
        }

        return new TableEncoding(terms, d.Recipe, data.ColumnNames.ToArray(), d.ColumnNames.Skip(skip).ToArray(), means, scales, responseLevels);
    }

    /// <summary>
    /// The standardised inputs [rows, inputs] of a table, its offsets (formula offsets plus the offset column, one per
    /// row and output) and, when asked, its responses [rows, outputs] and prior weights (the weights column times the
    /// trials of a cbind response).
    /// </summary>
    internal (T[] X, T[]? Y, double[]? Weights, T[]? Offset, int Rows) Encode<T>(DataTable data, bool withResponse, int outputs) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(data);
        ModelFrameOptions options = Recipe.Options with { MissingValues = withResponse ? Recipe.Options.MissingValues : MissingValueAction.Fail };
        if (!withResponse) options = options with { Weights = null };
        ModelDesign d = Frame.Build(Terms, data, options, Recipe, withResponse: withResponse && ResponseLevels is null);
        T[]? offset = null;
        if (d.Offset is not null)
        {
            offset = new T[d.RowCount * outputs];
            for (int r = 0; r < d.RowCount; r++) for (int j = 0; j < outputs; j++) offset[r * outputs + j] = T.CreateTruncating(d.Offset[r]);
        }
        int skip = Terms.HasIntercept ? 1 : 0, p = d.ColumnCount, k = InputNames.Count;
        if (p - skip != k) throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"The table codes to {p - skip} inputs; the model was built for {k}."), nameof(data));
        var x = new T[d.RowCount * k];
        for (int r = 0; r < d.RowCount; r++)
        {
            for (int j = 0; j < k; j++) x[r * k + j] = T.CreateTruncating((d.Matrix[r * p + j + skip] - Means[j]) / Scales[j]);
        }

        if (!withResponse) return (x, null, null, offset, d.RowCount);
        T[] y;
        if (ResponseLevels is not null)
        {
            Value v = new Evaluator(data, new DesignRecipe(new ModelFrameOptions()), training: true).Evaluate(Terms.VariableNode(Terms.ResponseIndex));
            if (!v.IsFactor) throw new ArgumentException("The response of a multinomial model must be a factor, character or logical column.", nameof(data));
            var index = ResponseLevels.Select((l, i) => (l, i)).ToDictionary(t => t.l, t => t.i, StringComparer.Ordinal);
            y = new T[d.RowCount * outputs];
            for (int r = 0; r < d.RowCount; r++)
            {
                int code = v.Codes![d.RowsUsed[r]];
                if (code < 0) throw new ArgumentException($"Row {d.RowsUsed[r]} has no response.", nameof(data));
                string level = v.Levels[code];
                if (!index.TryGetValue(level, out int cls)) throw new ArgumentException($"The response has the level \"{level}\", which is not one of the model's classes ({string.Join(", ", ResponseLevels)}).", nameof(data));
                y[r * outputs + cls] = T.One;
            }
        }
        else
        {
            if (outputs != 1) throw new ArgumentException($"A formula gives one response; the model has {outputs} outputs.", nameof(data));
            y = d.Response!.Select(T.CreateTruncating).ToArray();
        }

        return (x, y, d.Weights?.ToArray(), offset, d.RowCount);
    }
#pragma warning restore CA2208
}
