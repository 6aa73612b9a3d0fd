// ECharts, only the parts the dashboard draws (line, bar, pie on canvas), so the chunk stays small.
import * as echarts from 'echarts/core'
import { BarChart, LineChart, PieChart } from 'echarts/charts'
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components'
import { CanvasRenderer } from 'echarts/renderers'
import { onBeforeUnmount, onMounted, watch, type Ref } from 'vue'

echarts.use([BarChart, LineChart, PieChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer])

export type ChartOption = echarts.EChartsCoreOption

// One chart bound to an element and a reactive option; resized with its box, disposed on unmount.
export function useChart(el: Ref<HTMLElement | null>, option: Ref<ChartOption | null>) {
  let chart: echarts.ECharts | null = null
  let observer: ResizeObserver | null = null
  const draw = () => {
    if (!el.value || !option.value) return
    if (!chart) {
      chart = echarts.init(el.value, undefined, { renderer: 'canvas' })
      // The element may appear after mount (behind v-if): follow its size from when it exists.
      observer?.disconnect()
      observer = new ResizeObserver(() => chart?.resize())
      observer.observe(el.value)
    }
    chart.setOption(option.value, { notMerge: true })
  }
  onMounted(draw)
  watch(option, draw)
  watch(el, draw)
  onBeforeUnmount(() => {
    observer?.disconnect()
    chart?.dispose()
    chart = null
  })
}
