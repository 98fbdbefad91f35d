using System;
using System.Linq;
using NNLinearity.Data;
using NNLinearity.Families;
using NNLinearity.Formulas;
using NNLinearity.Links;

namespace NNLinearity.Glm;

public static partial class Glm
{
    /// <summary>
    /// Fits a GLM from an R formula on a table, as R's <c>glm(formula, data, family, weights, offset)</c>: the model
    /// frame (missing rows left out, unused levels dropped), the model matrix with R's coding and column names, then IRLS.
    /// </summary>
    /// <param name="formula">An R formula with a response, for example <c>"cbind(dead, alive) ~ dose * sex + offset(log(t))"</c>.</param>
    /// <param name="data">The table.</param>
    /// <param name="family">The response family.</param>
    /// <param name="link">The link; the family's canonical link when null.</param>
    /// <param name="options">Control settings; weights, offset, column names and the intercept come from the formula and <paramref name="frame"/> instead.</param>
    /// <param name="frame">Weights and offset columns, contrasts and missing values.</param>
    /// <returns>The fit, with named coefficients, its <see cref="GlmFit.Design"/> for prediction on new tables and analyses of deviance by term.</returns>
    /// <exception cref="FormulaSyntaxException">The formula does not parse.</exception>
    /// <exception cref="ArgumentException">The formula has no response, uses a column the table lacks, or the data are invalid for the family; options that the formula replaces are set.</exception>
    public static GlmFit Fit(string formula, DataTable data, GlmFamily family, ILinkFunction? link = null, GlmOptions? options = null, ModelFrameOptions? frame = null)
    {
        ArgumentNullException.ThrowIfNull(formula);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(family);
        options ??= new GlmOptions();
        if (options.Weights is not null || options.Offset is not null || options.ColumnNames is not null || !options.Intercept)
        {
            throw new ArgumentException("With a formula, weights and offset are columns named in ModelFrameOptions, column names come from the formula, and the intercept is removed with '- 1' or '0 +'; leave GlmOptions.Weights, Offset, ColumnNames and Intercept at their defaults.", nameof(options));
        }

        ModelDesign design = ModelDesign.Build(Formula.Parse(formula), data, frame);
        if (design.Response is null) throw new ArgumentException($"The formula '{formula}' has no response (write 'y ~ ...').", nameof(formula));
        GlmFit fit = FitDesign(design, family, link, options);
        fit.Design = design;
        if (fit.PadsToTable)
        {
            fit.AddDiagnostic(new GlmDiagnostic(GlmDiagnosticKind.RowsExcluded,
                $"{design.OmittedRows} row(s) with missing values were left out (MissingValues = Exclude): fitted values, linear predictors and residuals are NaN at table rows {string.Join(", ", design.MissingTableRows().Take(10))}{(design.OmittedRows > 10 ? ", ..." : "")}."));
        }

        return fit;
    }

    /// <summary>Fits a design's columns (without its intercept column, which the engine adds) with its response, weights and offset.</summary>
    internal static unsafe GlmFit FitDesign(ModelDesign design, GlmFamily family, ILinkFunction? link, GlmOptions options, Func<int, bool>? keepColumn = null)
    {
        bool intercept = design.Terms.HasIntercept;
        int p = design.ColumnCount, n = design.RowCount;
        if (keepColumn is null)
        {
            // Every column: the engine reads the design in place, past its intercept column, with a row stride of p.
            int skip = intercept ? 1 : 0;
            GlmOptions o = options with
            {
                Weights = design.Weights,
                Offset = design.Offset,
                ColumnNames = design.ColumnNames.Skip(skip).ToArray(),
                Intercept = intercept,
            };
            fixed (double* m = design.MatrixArray)
            {
                return FitCore(new NNLinearity.Numerics.DesignSource(m + skip, n, p - skip, p, 1, intercept), design.Response!, family, link, o);
            }
        }

        int[] columns = Enumerable.Range(intercept ? 1 : 0, p - (intercept ? 1 : 0)).Where(j => keepColumn?.Invoke(j) ?? true).ToArray();
        var x = new double[(long)n * columns.Length];
        for (int r = 0; r < n; r++)
        {
            for (int c = 0; c < columns.Length; c++) x[(long)r * columns.Length + c] = design.Matrix[r * p + columns[c]];
        }

        return Fit(x, n, columns.Length, design.Response!, family, link, options with
        {
            Weights = design.Weights,
            Offset = design.Offset,
            ColumnNames = columns.Select(j => design.ColumnNames[j]).ToArray(),
            Intercept = intercept,
        });
    }
}
